"""fundwatch's spaCy components, registered as factories and added by `nlp.models.load_model`.

- fw_funders: gazetteer of well-known funders/programmes; sets ORG entities whose `ent_id_` is the
  canonical name, so aliases (a16z, BEI, EIB...) merge, and drops junk entities the small models emit
  ("Vice-Président", "d’", lone punctuation).
- fw_places: countries, regions, cities and demonyms -> doc.spans["places"], Span._.place.
- fw_amounts: money amounts (nlp.money) -> doc.spans["amounts"], Span._.amount.
- fw_line_breaks (before the parser): a line break ends a sentence, so a title, a heading or a caption
  is never glued to the paragraph after it (the parser keeps boundaries set before it).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.gazetteers import funders, places
from nlp.money import find_amounts

if not Span.has_extension("amount"):
    Span.set_extension("amount", default=None)
if not Span.has_extension("place"):
    Span.set_extension("place", default=None)

_JUNK_ENT = re.compile(
    r"^(?:[\W\d_]+|d['’]?|l['’]?|de|du|des|la|le|les|the|a|an|ia|ai|ceo|cto|pdg|vice-pr[ée]sident\w*|"
    r"pr[ée]sident\w*|directeur\w*|directrice|ministre|minister|pr[ée]sident-directeur|chairman|"
    r"founder|fondateur|fondatrice|co-?fondateur|start-?up|startup|licorne|unicorn|lire aussi|"
    r"read more|advertisement|publicité|image|photo|source)$",
    re.IGNORECASE,
)


_TITLE_START = re.compile(
    r"^(?:(?:deputy|vice|former|ancien|ex)[- ])?(?:prime minister|minister|ministre|ministère|secretary|"
    r"secrétaire|president|président|premier|chancellor|chancelier|mayor|maire|ceo|pdg|cto|cfo|coo|"
    r"chairman|chair|director|directeur|directrice|m\.|mme|mr\.?|mrs\.?|ms\.?|dr\.?|sir|prof\.?|"
    r"professor|professeur|technology secretary|chief)\b",
    re.IGNORECASE,
)


def is_junk_entity(text: str) -> bool:
    """Titles, function words and punctuation that the small models sometimes tag as entities."""
    t = text.strip(" \t\n'’\"«»“”()-–—,.;:")
    if len(t) < 2 or "\n" in text.strip() or _JUNK_ENT.match(t) or _TITLE_START.match(t):
        return True
    # "cofondée", "jusqu": lower-case words are not names, brand spellings like "xAI" or "eBay" are
    return t[0].islower() and not re.match(r"^[a-z]+[A-Z]", t)


def _phrase_patterns(nlp: Language, names):
    cased, lowered = [], []
    for name in names:
        # short or all-caps names (GV, BPI, UK, US) must match their case; long names match any case
        if len(name) <= 4 or name.isupper() or name[0].isupper() and " " not in name:
            cased.append(nlp.make_doc(name))
        else:
            lowered.append(nlp.make_doc(name))
    return cased, lowered


@Language.factory("fw_funders", default_config={"lang": "en"})
def make_funders(nlp: Language, name: str, lang: str) -> FunderRuler:
    return FunderRuler(nlp)


class FunderRuler:
    def __init__(self, nlp: Language):
        self.cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lowered = PhraseMatcher(nlp.vocab, attr="LOWER")
        for f in funders():
            cased, lowered = _phrase_patterns(nlp, (f.name, *f.aliases))
            if cased:
                self.cased.add(f.name, cased)
            if lowered:
                self.lowered.add(f.name, lowered)

    def __call__(self, doc: Doc) -> Doc:
        found = []
        for matcher in (self.cased, self.lowered):
            for match_id, start, end in matcher(doc):
                found.append(Span(doc, start, end, label="ORG", kb_id=doc.vocab.strings[match_id]))
        gaz = filter_spans(found)
        taken = set()
        for s in gaz:
            taken.update(range(s.start, s.end))
        kept = [e for e in doc.ents if not taken.intersection(range(e.start, e.end)) and not is_junk_entity(e.text)]
        doc.ents = sorted(kept + gaz, key=lambda s: s.start)
        doc.spans["funders"] = gaz
        return doc


@Language.factory("fw_places")
def make_places(nlp: Language, name: str) -> PlaceMatcher:
    return PlaceMatcher(nlp)


class PlaceMatcher:
    def __init__(self, nlp: Language):
        self.cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lowered = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_key: dict[str, object] = {}
        for i, p in enumerate(places()):
            key = f"place{i}"
            self.by_key[key] = p
            if p.name[0].isupper():
                self.cased.add(key, [nlp.make_doc(p.name)])
            else:
                self.lowered.add(key, [nlp.make_doc(p.name)])

    def __call__(self, doc: Doc) -> Doc:
        found = []
        for matcher in (self.cased, self.lowered):
            for match_id, start, end in matcher(doc):
                place = self.by_key[doc.vocab.strings[match_id]]
                span = Span(doc, start, end, label=place.country)
                # "Paris-based", "Berlin-based": the place describes an organisation
                based = end + 1 < len(doc) and doc[end].text in ("-", "‑") and doc[end + 1].lower_ == "based"
                span._.place = (place, based)
                found.append(span)
        spans = filter_spans(found)
        doc.spans["places"] = spans
        return doc


@Language.component("fw_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    for tok in doc[:-1]:
        if tok.is_space and "\n" in tok.text or tok.i > 0 and not tok.is_space and "\n" in tok.whitespace_:
            doc[tok.i + 1].is_sent_start = True
    return doc


@Language.factory("fw_amounts")
def make_amounts(nlp: Language, name: str) -> AmountFinder:
    return AmountFinder()


class AmountFinder:
    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for a in find_amounts(doc.text):
            span = doc.char_span(a.start, a.end, label="MONEY", alignment_mode="expand")
            if span is None:
                continue
            span._.amount = a
            spans.append(span)
        doc.spans["amounts"] = spans
        return doc
