"""Article texts in, funding events out: language, relevance and one Mention per funding event.

`analyse` is the only entry point the rest of fundwatch calls. Models load once per process
(nlp.models.load_model is cached) and texts go through `nlp.pipe` in batches, in input order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice

from spacy.tokens import Doc, Span

from nlp import cues
from nlp.kinds import funding_kind, funding_round_near
from nlp.language import SUPPORTED, detect_language
from nlp.models import MAX_CHARS, load_model
from nlp.orgs import collect_orgs, fold
from nlp.regions import COUNTRY_CURRENCY, LOCAL_DOLLAR, resolve_location
from nlp.relevance import Candidate, article_decision, score_candidate
from nlp.roles import (
    PUBLIC_BODY,
    giving_subject,
    investors_for,
    named_programme,
    programme_phrase,
    recipient_scores,
)
from nlp.sentences import MIN_RANK_WORDS, SENTENCE_CACHE, doc_text, ranks, sent_of, sentences
from nlp.types import Analysis, ArticleIn, Mention

EXTRACTOR_VERSION = "2026.11.26-1"
MIN_CHARS = 150  # below this an article cannot state who got how much for what
MAX_EVENTS = 3
SECOND_EVENT_MARGIN = 2.0
SECOND_EVENT_MIN = 3.0
# Bounds that keep scoring linear on junk (a 100 kB text with no full stop, a table of thousands of
# figures); news articles are far inside them.
MAX_AMOUNTS = 300  # amounts scored per article, in reading order
CONTEXT_CHARS = 500  # cues are read at most this far either side of an amount, even in an endless sentence
MIN_RECIPIENT_SCORE = -1.0  # below: only people, places or funders were named; better no recipient

_EQUIV_GAP = re.compile(r"^\s*[(\[/,]?\s*(?:soit|or|ou|about|around|environ|roughly|approx\.?|~|≈|i\.e\.)?"
                        r"\s*(?:about|around|environ|près de|some)?\s*$", re.IGNORECASE)
_RANGE_GAP = re.compile(r"^\s*(?:à|to|-|–|et|and)\s*$", re.IGNORECASE)


def _as_article(rec: ArticleIn | dict) -> ArticleIn:
    if isinstance(rec, ArticleIn):
        return rec
    if not isinstance(rec, dict) or "id" not in rec:
        raise ValueError(f"an article needs at least 'id' and 'text', got {type(rec).__name__}")
    return ArticleIn(
        id=str(rec["id"]), text=rec.get("text") or "", lang=rec.get("lang"), title=rec.get("title"),
        url=rec.get("url"), published=rec.get("published"),
    )


def analyse(records: Iterable[ArticleIn | dict], batch_size: int = 32) -> Iterator[Analysis]:
    """Stream one Analysis per record, in input order."""
    it = iter(records)
    while True:
        chunk = [_as_article(r) for r in islice(it, batch_size)]
        if not chunk:
            return
        yield from _analyse_chunk(chunk, batch_size)


def _full_text(a: ArticleIn) -> str:
    text = a.text or ""
    if a.title and a.title.strip() and a.title.strip()[:60] not in text[:400]:
        text = a.title.strip() + "\n\n" + text
    return text


def _analyse_chunk(chunk: list[ArticleIn], batch_size: int) -> list[Analysis]:
    results: list[Analysis | None] = [None] * len(chunk)
    by_lang: dict[str, list[tuple[int, str, bool]]] = {}
    for i, art in enumerate(chunk):
        text = _full_text(art)
        base = dict(id=art.id, title=art.title, url=art.url, published=art.published)
        # a French or English `lang` was detected upstream on this body (the crawler stores what langdetect
        # found) or given by the caller: detecting again was a fifth of the extraction time
        lang = art.lang if art.lang in SUPPORTED else detect_language(text, art.lang)
        if len(text.strip()) < MIN_CHARS:
            results[i] = Analysis(lang=lang, relevant=False, score=0.0, skip_reason="too_short",
                                  reason=f"text has {len(text.strip())} characters (< {MIN_CHARS})", **base)
            continue
        if lang not in SUPPORTED:
            results[i] = Analysis(lang=lang, relevant=False, score=0.0, skip_reason="language",
                                  reason=f"language {lang!r} is not French or English", **base)
            continue
        cut = len(text) > MAX_CHARS
        by_lang.setdefault(lang, []).append((i, text[:MAX_CHARS], cut))
    for lang, items in by_lang.items():
        nlp = load_model(lang)
        docs = nlp.pipe((t for _, t, _ in items), batch_size=batch_size)
        for (i, _, cut), doc in zip(items, docs, strict=True):
            art = chunk[i]
            try:
                results[i] = _analyse_doc(doc, art, lang, cut)
            finally:
                doc.user_data.pop(SENTENCE_CACHE, None)  # holds Spans: keep the Doc serialisable
                doc.user_data.pop(SENTENCE_CACHE + "_ranks", None)
    return results  # type: ignore[return-value]


def _candidates(doc: Doc) -> list[tuple[Candidate, Span]]:
    text = doc_text(doc)
    spans = list(doc.spans.get("amounts", []))[:MAX_AMOUNTS]
    sent_index = _position_index(doc)
    out: list[tuple[Candidate, Span]] = []
    prev = None
    for k, sp in enumerate(spans):
        a = sp._.amount
        sent = sent_of(sp)
        c = Candidate(amount=a, sent_start=max(sent.start_char, a.start - CONTEXT_CHARS),
                      sent_end=min(sent.end_char, a.end + CONTEXT_CHARS),
                      sent_index=sent_index.get(sent.start, 99))
        if prev is not None:
            gap = text[prev.end : a.start]
            if len(gap) <= 12 and ("(" in gap or "/" in gap or _EQUIV_GAP.match(gap) and gap.strip()):
                c.equivalent_of = k - 1
            elif _RANGE_GAP.match(gap):
                c.equivalent_of = k - 1  # "de 100 à 250 M$": a range is not an amount raised
                out[-1][0].score -= 3
                out[-1][0].reasons.append("range (-3.0)")
        out.append((c, sp))
        prev = a
    return out


def _position_index(doc: Doc) -> dict[int, int]:
    """Each sentence's rank for the title/lead bonus: an outlet's name, a byline or a dateline on its
    own line does not push the headline down."""
    return {s.start: r for s, r in zip(sentences(doc), ranks(doc), strict=True)}


def _headline(doc: Doc) -> Span | None:
    """The first sentence of a few words (the title, after any outlet name or dateline line)."""
    sents = sentences(doc)
    for s in sents[:4]:
        if sum(1 for t in s if t.is_alpha) >= MIN_RANK_WORDS:
            return s
    return sents[0] if sents else None


def _fill_currency(cands: list[tuple[Candidate, Span]], lang: str) -> None:
    """Missing currency: the last explicit one before it. Bare "$": the explicit currency another
    mention of the same figure gives ("25 millions $" ... "25 millions $ US")."""
    explicit = [c.amount for c, _ in cands if c.amount.currency and c.amount.currency_explicit]
    for c, _ in cands:
        a = c.amount
        if a.currency and not a.currency_explicit:
            same = [o for o in explicit if o is not a and abs(o.value - a.value) <= 0.005 * a.value
                    and o.currency in ("USD", "CAD", "SGD", "AUD", "NZD", "HKD")]
            if same:
                a.currency, a.currency_explicit = same[0].currency, True
    last = None
    for c, _ in cands:
        if c.amount.currency and c.amount.currency_explicit:
            last = c.amount.currency
        elif c.amount.currency is None and last:
            c.amount.currency = last
    # a bare figure before any explicit currency ("près de 385 millions" in a title): the next one
    following = None
    for c, _ in reversed(cands):
        if c.amount.currency and c.amount.currency_explicit:
            following = c.amount.currency
        elif c.amount.currency is None and following:
            c.amount.currency = following


def _analyse_doc(doc: Doc, art: ArticleIn, lang: str, cut: bool) -> Analysis:
    base = dict(id=art.id, title=art.title, url=art.url, published=art.published, lang=lang)
    text = doc_text(doc)
    cands = _candidates(doc)
    _fill_currency(cands, lang)
    live = [(c, sp) for c, sp in cands if c.equivalent_of is None]
    head = _headline(doc)
    title = head.text if head is not None else ""
    debunk = bool(cues.DEBUNK.search(title))
    for c, _ in live:
        repeats = sum(
            1 for o, _ in live
            if o is not c and abs(o.amount.value - c.amount.value) <= 0.005 * c.amount.value
        )
        score_candidate(text, c, repeats)
        if debunk:
            c.score -= 3.0
            c.reasons.append("title denies a funding (-3.0)")
        if c.amount.currency is None:  # a size or a count ("70 billion parameters"), or money never named
            c.score -= 4.0
            c.reasons.append("no currency in the article (-4.0)")
    live.sort(key=lambda x: -x[0].score)
    best = live[0][0] if live else None
    relevant, score, reason = article_decision(text, best)
    if cut:
        reason += f"; text cut to {MAX_CHARS} characters"
    if not relevant:
        return Analysis(relevant=False, score=score, reason=reason, skip_reason="not_relevant", **base)

    orgs = collect_orgs(doc)
    title_end = head.end if head is not None else 0
    picks: list[tuple[Candidate, Span, str | None]] = []
    for c, sp in live:
        if len(picks) >= MAX_EVENTS:
            break
        if picks and (c.score < max(SECOND_EVENT_MIN, best.score - SECOND_EVENT_MARGIN)):
            break
        if c.amount.currency is None:
            continue  # never an event with an invented currency
        if any(abs(p.amount.value - c.amount.value) <= 0.1 * c.amount.value for p, _, _ in picks):
            continue
        scores = recipient_scores(doc, orgs, sp, title_end)
        ranked = sorted(scores, key=scores.get, reverse=True)
        recipient_key = ranked[0] if ranked and scores[ranked[0]] >= MIN_RECIPIENT_SCORE else None
        if picks and (recipient_key is None or recipient_key in {k for _, _, k in picks}):
            continue
        picks.append((c, sp, recipient_key))
    mentions = []
    for c, sp, key in picks:
        # in a round-up, the other events' sentences and recipients belong to them
        others = [(o_sp, o_key) for _, o_sp, o_key in picks if o_sp is not sp]
        mentions.append(_mention(doc, orgs, c, sp, key, lang, _more_precise(c, live), others))
    return Analysis(relevant=True, score=score, reason=reason, mentions=mentions, **base)


def _more_precise(c: Candidate, live: list[tuple[Candidate, Span]]) -> float:
    """ "over $1bn" in a title, "$1.05 billion" in the body: report the precise figure."""
    a = c.amount
    for o, _ in live:
        b = o.amount
        if (b.currency == a.currency and a.value < b.value <= a.value * 1.1 and o.score > 0
                and not b.approx and (a.approx or c.sent_index == 0)):
            return b.value
    return a.value


def _mention(doc: Doc, orgs, c: Candidate, sp: Span, recipient_key: str | None, lang: str,
             value: float, others: list[tuple[Span, str | None]]) -> Mention:
    text = doc_text(doc)
    named = named_programme(doc, sp)
    if named and fold(named) in orgs:
        recipient_key = fold(named)  # the programme the money goes to, not the government giving it
    recip = orgs.get(recipient_key) if recipient_key else None
    sent = sent_of(sp)
    context = text[max(0, sent.start_char - 300) : min(len(text), sent.end_char + 300)]
    public_hint = bool(recip and recip.place) or bool(re.search(
        r"\b(?:government|gouvernement|minist\w+|cabinet|[ée]tat|state|r[ée]gion|union europ[ée]enne|"
        r"european union|commission)\b", sent.text, re.I))
    giver = giving_subject(doc, orgs, sp)
    public_hint = public_hint or bool(giver and (giver.place or PUBLIC_BODY.search(giver.name)))
    kind = funding_kind(sent.text, context, public_hint)
    investors, lead = investors_for(
        doc, orgs, recipient_key, sp, kind in ("public_program", "grant"),
        exclude_sents={sent_of(o).start for o, _ in others}, exclude_keys={k for _, k in others if k},
    )
    if kind == "debt" and len(investors) == 1 and not lead:
        lead = list(investors)  # a loan's only lender leads it
    recipient_name = recip.name if recip else None
    programme = programme_phrase(doc, sp)
    if named:
        recipient_name = named
    elif programme and (recip is None or recipient_key not in _keys_in(orgs, sent)):
        recipient_name = programme
    country, region, region_code = resolve_location(doc, recip.spans if recip else [], sp, c.amount.currency,
                                                    lang)
    currency = c.amount.currency
    if currency == "USD" and not c.amount.currency_explicit and country in LOCAL_DOLLAR:
        currency = LOCAL_DOLLAR[country]
    if currency is None:
        currency = COUNTRY_CURRENCY.get(country or "", "EUR" if lang == "fr" else "USD")
    rnd = None
    if kind == "private_round":
        lo = max(0, sent.start_char - 300)
        rnd = (funding_round_near(text[sent.start_char : sent.end_char], c.amount.start - sent.start_char,
                                  c.amount.end - sent.start_char)
               or funding_round_near(context, c.amount.start - lo, c.amount.end - lo))
    evidence = text[sent.start_char : sent.end_char].strip()
    start = sent.start_char + (len(text[sent.start_char : sent.end_char]) - len(
        text[sent.start_char : sent.end_char].lstrip()))
    return Mention(
        recipient=recipient_name, amount=value, currency=currency,
        investors=investors, lead_investors=lead, country=country, region=region, region_code=region_code,
        kind=kind, round=rnd, period=c.amount.period, evidence=evidence, start=start,
        end=start + len(evidence),
    )


def _keys_in(orgs, sent: Span) -> set[str]:
    return {k for k, o in orgs.items() if any(sent_of(sp).start == sent.start for sp in o.spans)}


__all__ = ["EXTRACTOR_VERSION", "analyse"]
