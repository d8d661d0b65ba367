"""Per-doc caches of the text and the sentence of each token.

`Doc.text` re-joins every token and `Span.sent` re-scans the doc on each call; the rules ask for them
hundreds of times per article, so both are computed once and kept in `doc.user_data`.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

SENTENCE_CACHE = "fw_sentences"


def _cache(doc: Doc) -> tuple[str, list[Span], list[int]]:
    cached = doc.user_data.get(SENTENCE_CACHE)
    if cached is None:
        sents = list(doc.sents)
        owner = [0] * len(doc)
        for k, s in enumerate(sents):
            for i in range(s.start, s.end):
                owner[i] = k
        cached = (doc.text, sents, owner)
        doc.user_data[SENTENCE_CACHE] = cached
    return cached


def doc_text(doc: Doc) -> str:
    return _cache(doc)[0]


def sentences(doc: Doc) -> list[Span]:
    return _cache(doc)[1]


def sent_of(item: Span | Token) -> Span:
    """The sentence holding a span (by its first token) or a token."""
    doc = item.doc
    _, sents, owner = _cache(doc)
    i = item.i if isinstance(item, Token) else item.start
    return sents[owner[min(i, len(doc) - 1)]]


def sent_index(item: Span | Token) -> int:
    doc = item.doc
    _, _, owner = _cache(doc)
    i = item.i if isinstance(item, Token) else item.start
    return owner[min(i, len(doc) - 1)]


MIN_RANK_WORDS = 6  # shorter lines (an outlet's name, a byline, "Read more") do not count as sentences


def ranks(doc: Doc) -> list[int]:
    """Per sentence, its rank among sentences of a few words, so distances in sentences are not
    stretched by headings, bylines and captions on lines of their own."""
    cached = doc.user_data.get(SENTENCE_CACHE + "_ranks")
    if cached is None:
        cached, k = [], 0
        for s in sentences(doc):
            cached.append(k)
            if sum(1 for t in s if t.is_alpha) >= MIN_RANK_WORDS:
                k += 1
        doc.user_data[SENTENCE_CACHE + "_ranks"] = cached
    return cached
