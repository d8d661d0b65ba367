"""Organisation mentions of an article: NER + funder gazetteer, junk removed, aliases merged."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import pycountry
from spacy.tokens import Doc, Span

from nlp.components import is_junk_entity
from nlp.gazetteers import funder_index, places
from nlp.sentences import doc_text, sent_of

ORG_LABELS = {"ORG", "PERSON", "PER", "MISC", "PRODUCT", "NORP", "GPE", "LOC", "FAC", "WORK_OF_ART"}
PERSON_LABELS = {"PERSON", "PER"}
# news outlets and agencies are quoted as sources, never funded
MEDIA = {
    "reuters", "bloomberg", "afp", "cnbc", "financial times", "ft", "techcrunch", "the information",
    "wall street journal", "wsj", "les echos", "le monde", "le figaro", "la presse", "l'echo", "sifted",
    "maddyness", "usine digitale", "l'usine digitale", "tnw", "the next web", "forbes", "business insider",
    "associated press", "ap", "agence france-presse", "the guardian", "bfm", "bfm business", "x", "twitter",
    "linkedin", "facebook", "instagram", "youtube", "tiktok", "the globe and mail", "globe and mail",
    "radio-canada", "le journal", "cnn", "bbc", "new york times", "washington post", "the washington post",
    "dealroom", "crunchbase", "pitchbook", "statista", "cb insights", "gazette officielle",
    "journal", "presse canadienne", "la presse canadienne", "canadian press", "the canadian press", "belga", "ats",
    "keystone-ats", "dpa", "ansa", "efe", "xinhua", "kyodo", "yonhap", "pti", "ani", "sputnik", "tass",
    "bloomberg news", "reuters news", "nikkei", "la tribune", "challenges", "l'express",
}
# AI products and generic words that NER mistakes for organisations
NOT_ORG = {
    "inc", "corp", "co", "ltd", "llc", "plc", "sa", "sas", "gmbh", "ag", "nv", "bv", "un", "une", "mission",
    "foundation", "fondation", "group", "groupe", "holding", "capital", "ventures", "partners", "fund", "fonds",
    "securities and exchange commission", "us securities and exchange commission", "sec", "amf", "fca",
    "autorité des marchés financiers", "us securities", "exchange commission", "companies house",
    "ia", "ai", "chatgpt", "gpt-4", "gpt-3", "gpt", "llm", "llms", "genai", "agi", "gpu", "gpus", "cpu",
    "europe", "union européenne", "european union", "eu", "ue", "silicon valley", "money report",
    "tech news", "dear reader", "intelligence artificielle", "artificial intelligence", "série a", "series a",
    "series b", "series c", "série b", "série c", "seed", "vivatech", "ceo", "pdg", "cto",
}
_PLACE_NAMES = None


def _place_names() -> set[str]:
    global _PLACE_NAMES
    if _PLACE_NAMES is None:
        _PLACE_NAMES = {p.name.lower() for p in places()}
    return _PLACE_NAMES


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", s))


_LEADING = re.compile(r"^(?:(?:the|la|le|les|de|du|des|au|aux|a|an|chez)\s+|[ld]['’]\s*)", re.IGNORECASE)
_TRAILING = re.compile(r"(?:['’]s|['’])$")


_GENERIC_HEAD = re.compile(
    r"^(?:(?:la |le |l['’]|the |a |une? )?(?:jeune )?(?:start-?up|scale-?up|soci[ée]t[ée]|entreprise|firme?|"
    r"company|groupe|group|p[ée]pite|licorne|unicorn|laboratoire|lab|fonds|fund|venture capital firm|"
    r"jeune pousse|plateforme|platform)(?:\s+(?:fran[çc]aise|am[ée]ricaine|britannique|allemande|suisse|"
    r"belge|canadienne|qu[ée]b[ée]coise|montr[ée]alaise|parisienne|d['’]IA|de l['’]IA|IA|AI|tech))*\s+)+",
    re.IGNORECASE,
)


def clean_name(text: str) -> str:
    """Surface form without articles, generic heads ("la start-up"), possessives, quotes or elisions."""
    t = " ".join(text.split())
    t = t.strip(" \t'’\"«»“”()[],.;:–—-")
    t = _GENERIC_HEAD.sub("", t)
    for _ in range(2):
        t = _LEADING.sub("", t)
    t = _TRAILING.sub("", t).strip(" ,.;:")
    t = re.sub(r"\s+[nldsjmct]['’]?$", "", t)  # "Mistral AI n’a" -> "Mistral AI"
    t = re.sub(r"^(?:IA|AI|d['’]IA)\s+(?=[A-Z])", "", t)  # "start-up d’IA Oken" -> "Oken"
    return t.strip(" ,.;:'’")


@dataclass
class Org:
    name: str
    key: str
    label: str
    spans: list[Span] = field(default_factory=list)
    funder: bool = False
    place: bool = False

    @property
    def person(self) -> bool:
        return self.label in PERSON_LABELS


def collect_orgs(doc: Doc) -> dict[str, Org]:
    """Mentions grouped by folded name; a short name that is a word-prefix of a longer one merges
    into it ("Mistral" -> "Mistral AI")."""
    fidx = funder_index()
    orgs: dict[str, Org] = {}
    for ent in doc.ents:
        if ent.label_ not in ORG_LABELS:
            continue
        if not ent.kb_id_ and ent.label_ != "ORG" and ent[0].pos_ in _CLAUSE_POS:
            continue  # "Bien sûr", "Détecter": a clause, not a name
        if ent.label_ in ("MISC", "PER", "PERSON", "LOC"):
            ent = _trim_at_lowercase(ent)
        name = clean_name(ent.text)
        key = fold(name)
        if not ent.kb_id_ and (not key or is_junk_entity(name) or _not_an_org(key) or len(key) < 2):
            continue
        if re.fullmatch(r"[\d\s]+", key) or re.fullmatch(r"[A-Z]{1,5}\.[A-Z]{1,2}", name):  # tickers
            continue
        funder = fidx.get(name.lower())
        if funder is not None or ent.kb_id_:
            name = ent.kb_id_ or funder.name
            key = fold(name)
        if _byline(doc, ent):
            continue
        if len(name) == 3 and name.isupper() and name in _CURRENCY_CODES:
            continue
        if _place_then_generic(name):
            continue
        is_place = name.lower() in _place_names() or _is_country(name) or (
            ent.label_ in ("GPE", "LOC") and name.isupper() and len(name) > 3)  # "MOSCOW (Reuters)" datelines
        if ent.label_ == "NORP" and not is_place:
            continue
        org = orgs.get(key)
        if org is None:
            org = orgs[key] = Org(name=name, key=key, label=ent.label_,
                                  funder=bool(funder or ent.kb_id_ or _generic_public(key)), place=is_place)
        org.spans.append(ent)
    _add_propn_chunks(doc, orgs)
    # merge "Mistral" into "Mistral AI", "Wayve" into "Wayve Technologies"
    keys = sorted(orgs, key=len)
    for short in keys:
        for long in keys:
            if short != long and long.startswith(short + " ") and short in orgs and long in orgs:
                if orgs[short].place or orgs[short].person != orgs[long].person:
                    continue
                orgs[long].spans.extend(orgs.pop(short).spans)
                break
    return orgs


_CURRENCY_CODES = {c.alpha_3 for c in pycountry.currencies}
# "le Gouvernement", "the Government", "l'État" alone: the public body that gives, never the recipient
_PUBLIC_GENERIC = re.compile(
    r"(?:the |le |la |l )?(?:gouvernement|government|cabinet|etat|state|region|province|ministere|ministry|"
    r"conseil regional|regional council|executive|executif)(?: (?:wallon|federal|provincial|regional|national|"
    r"francais|belge|canadien|quebecois|britannique|allemand|suisse|luxembourgeois|flamand|bruxellois))?"
)


def _generic_public(key: str) -> bool:
    return bool(_PUBLIC_GENERIC.fullmatch(key))
_CONNECTORS = {"de", "du", "des", "d'", "d’", "of", "&", "and", "et", "la", "le", "les", "l'", "l’", "the", "-"}


_ARTICLES = {"la", "le", "l'", "l’", "les", "the", "a", "une", "un"}


def _trim_at_lowercase(ent: Span) -> Span:
    """ "Mistral AI champion européen de l’IA" -> "Mistral AI": the small French model runs MISC
    entities on into the following description."""
    if len(ent) > 2 and ent[0].lower_ in _ARTICLES and ent[-1].text[:1].isupper():
        # "La start-up bordelaise Sylvo": the name is the capitalised run at the end
        i = ent.end
        while i - 1 > ent.start and ent.doc[i - 1].text[:1].isupper():
            i -= 1
        if i > ent.start + 1:
            return Span(ent.doc, i, ent.end, label=ent.label_)
    for tok in ent[1:]:
        if tok.text[:1].islower() and tok.lower_ not in _CONNECTORS and not re.match(r"^[a-z]+[A-Z]", tok.text):
            return ent.doc[ent.start : tok.i]
    return ent


_TOPIC_WORDS = {"artificial", "intelligence", "ai", "ia", "artificielle", "machine", "learning", "generative",
                "generatif", "deep", "llm", "llms", "genai", "tech", "technology", "technologie"}
_MEDIA_TOKENS = {"news", "newswire", "wire", "press", "presse", "times", "post", "tribune", "journal", "gazette"}


def _not_an_org(key: str) -> bool:
    """Media outlets (also inside a longer dateline, "UrduPoint News / Sputnik"), AI topic words."""
    if key in MEDIA or key in NOT_ORG:
        return True
    words = key.split()
    if set(words) <= _TOPIC_WORDS:
        return True
    return bool(_MEDIA_TOKENS.intersection(words)) or any(w in MEDIA for w in words if len(w) > 3)


def _place_then_generic(name: str) -> bool:
    """ "Montreal AI", "Paris Tech": a place plus a generic word describes, it does not name."""
    head, _, tail = name.rpartition(" ")
    return bool(head) and head.lower() in _place_names() and tail.lower() in ("ai", "ia", "tech", "startup")


def _byline(doc: Doc, ent: Span) -> bool:
    line_start = doc_text(doc).rfind("\n", 0, ent.start_char) + 1
    line_end = doc_text(doc).find("\n", ent.end_char)
    line = doc_text(doc)[line_start : line_end if line_end >= 0 else len(doc_text(doc))].strip(" -–—•|")
    if ent.label_ in PERSON_LABELS and line == ent.text.strip():
        return True  # a name alone on its line: the author
    left = doc_text(doc)[max(0, ent.start_char - 6) : ent.start_char]
    return bool(re.search(r"(?:^|\n)\s*(?:by|par)\s+$", left, re.IGNORECASE)) or left.strip().lower() in ("by", "par")


@cache
def _is_country(name: str) -> bool:
    try:
        return pycountry.countries.lookup(name) is not None
    except LookupError:
        return False


_CLAUSE_POS = ("ADV", "VERB", "AUX", "PRON", "SCONJ", "CCONJ", "ADP", "INTJ")
_NOT_NAMES = {
    "today", "yesterday", "meanwhile", "however", "now", "here", "recently", "earlier", "later", "investors",
    "aujourd'hui", "hier", "ensuite", "ainsi", "cependant", "pourtant", "enfin", "selon", "investisseurs",
    "monday", "tuesday", "wednesday", "thursday", "friday", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
    "startup", "start-up", "company", "entreprise", "funding", "financement", "photo", "image", "source",
}


def _named_subject(span: Span) -> bool:
    """ "Cognism, a London-based…", "Wayve has raised…": a first word followed by an apposition or an
    auxiliary/verb is a name, unlike "Meanwhile," or "Yesterday"."""
    doc = span.doc
    if span.end >= len(doc) or span[0].is_stop:
        return False
    nxt = doc[span.end]
    if nxt.pos_ in ("AUX", "VERB"):
        return True
    return nxt.text == "," and span.end + 1 < len(doc) and doc[span.end + 1].lower_ in ("a", "an", "the", "la", "le")


_GENERIC_HEADS = {"up", "startup", "start-up", "société", "entreprise", "firme", "company", "firm", "pousse",
                  "pépite", "licorne", "off", "spinoff", "spin-off", "scale-up", "scaleup", "unicorn"}


# "mené par Noshaq", "led by Kestrel": the taggers often miss a fund's name right after these
_LEAD_PARTICIPLES = {"mené", "menée", "conduit", "conduite", "piloté", "pilotée", "dirigé", "dirigée", "led",
                     "co-led", "backed", "co-mené", "co-menée"}


def _add_propn_chunks(doc: Doc, orgs: dict[str, Org]) -> None:
    """Proper nouns NER missed ("Wayve", "xAI"): runs of PROPN tokens outside entities that start
    with a capital or an "x"/"i"-style brand prefix, not at the start of a sentence alone."""
    taken = {i for e in doc.ents for i in range(e.start, e.end)}
    run: list = []

    def flush() -> None:
        if not run:
            return
        span = doc[run[0].i : run[-1].i + 1]
        run.clear()
        name = clean_name(span.text)
        key = fold(name)
        if not key or len(key) < 2 or is_junk_entity(name) or _not_an_org(key):
            return
        if name.lower() in _place_names() or _is_country(name) or not re.search(r"[A-Z]", name):
            return
        if name in _CURRENCY_CODES or _place_then_generic(name):
            return
        if span.start == sent_of(span).start and len(span) == 1 and key not in orgs and not _named_subject(span):
            return  # a capitalised first word is usually not a name
        org = orgs.get(key)
        if org is None:
            org = orgs[key] = Org(name=name, key=key, label="PROPN")
        org.spans.append(span)

    lower_words = {t.lower_ for t in doc if t.text[:1].islower()}
    for tok in doc:
        brand = tok.text[:1].isupper() or re.match(r"^[a-z][A-Z]", tok.text)
        # the taggers call unknown names at the start of a sentence NOUN ("Cognism, a London-based...")
        unknown_word = (tok.is_sent_start and tok.pos_ == "NOUN" and tok.lower_ not in lower_words
                        and tok.lower_ not in _NOT_NAMES)
        # "DigitalWallonia4.AI", "DeepScribe": a capital inside the word marks a name whatever its tag
        camel = tok.text[:1].isupper() and re.search(r"[a-z][A-Z]", tok.text) and tok.pos_ != "PUNCT"
        # "la start-up Owkin", "the startup Zorglub": a capitalised word after a generic head names it
        after_head = ((tok.i > 0 and doc[tok.i - 1].lower_ in _GENERIC_HEADS
                       or tok.i > 1 and doc[tok.i - 1].lower_ in ("par", "by")
                       and doc[tok.i - 2].lower_ in _LEAD_PARTICIPLES)
                      and tok.text[:1].isupper() and tok.pos_ in ("NOUN", "ADJ", "X", "VERB") and tok.is_alpha)
        if tok.i not in taken and (tok.pos_ == "PROPN" or unknown_word or camel or after_head and fold(tok.text)
                                   not in orgs) and brand:
            run.append(tok)
        else:
            flush()
    flush()


def salience(org: Org) -> float:
    return float(len(org.spans))


def mention_counts(orgs: dict[str, Org]) -> Counter:
    return Counter({k: len(o.spans) for k, o in orgs.items()})
