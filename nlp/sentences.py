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
        sents = _merge_stray_splits(doc)
        owner = [0] * len(doc)
        for k, s in enumerate(sents):
            for i in range(s.start, s.end):
                owner[i] = k
        cached = (doc.text, sents, owner)
        doc.user_data[SENTENCE_CACHE] = cached
    return cached


_END = frozenset({".", "!", "?", "…", ";", ":", "»", "”", '"', "...", "?!", "!!"})


def _ends_sentence(tok: Token) -> bool:
    if tok.is_space:
        return "\n" in tok.text
    # "DataVlaanderen.AI" split after its dot: no space after it, so no sentence end
    return bool(tok.whitespace_) and (tok.text in _END or tok.text.endswith((".", "!", "?")))


def _fragment(s: Span, prev: Span) -> bool:
    """A piece, not a sentence: a few tokens, or it starts with punctuation or a lower-case word."""
    first = s[0]
    return (len(s) <= 3 or len(prev) <= 3 or first.is_punct or first.text[:1].islower()) and not (
        first.is_space)


def _merge_stray_splits(doc: Doc) -> list[Span]:
    """The parser's sentences, except that a boundary needs a line break or closing punctuation
    before it: the small models split inside names ("Cortexa | Santé, start-up nantaise") and
    titles ("France 2030 | : X décroche...")."""
    out: list[Span] = []
    for s in doc.sents:
        before = doc[s.start - 1] if out else None
        glued = before is not None and not before.is_space and not before.whitespace_
        if out and (glued or not _ends_sentence(before) and _fragment(s, out[-1])):
            out[-1] = doc[out[-1].start : s.end]
        else:
            out.append(s)
    return out


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
