"""`fundwatch extract`: JSONL texts in, funding events out, offline and without a database.

Records of one batch that report the same funding get the same `event_id` (nlp.dedup), so the output
can be scored for de-duplication as well as extraction.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from nlp.currency import to_eur
from nlp.dedup import Report, assign_event_ids
from nlp.types import Analysis, ArticleIn, Mention

OPTIONAL_FIELDS = ("lang", "url", "published", "title")
CONTEXT_CHARS = 20_000  # of each text kept for de-duplication (names sit near the top of news articles)


class InputError(ValueError):
    """A bad input line; the message names the file and the line."""


def read_records(path: str | os.PathLike) -> Iterator[ArticleIn]:
    """Stream validated input lines; stop at the first bad one with its line number."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}, line {lineno}: not valid JSON ({exc.msg})") from None
            if not isinstance(rec, dict):
                raise InputError(f"{path}, line {lineno}: expected a JSON object, got {type(rec).__name__}")
            missing = [k for k in ("id", "text") if rec.get(k) in (None, "")]
            if missing:
                raise InputError(f"{path}, line {lineno}: missing field(s) {', '.join(missing)}")
            if not isinstance(rec["text"], str):
                raise InputError(f"{path}, line {lineno}: 'text' must be a string")
            extra = {}
            for key in OPTIONAL_FIELDS:
                value = rec.get(key)
                if value is not None and not isinstance(value, str):
                    raise InputError(f"{path}, line {lineno}: '{key}' must be a string")
                extra[key] = value or None
            yield ArticleIn(id=str(rec["id"]), text=rec["text"], **extra)


def with_eur(mention: Mention, published: str | None) -> Mention:
    """Date the mention by its article and convert its amount at that day's ECB rate."""
    mention.published = mention.published or published
    if mention.amount_eur is None:
        mention.amount_eur = to_eur(mention.amount, mention.currency, mention.published)
    return mention


def realign(mention: Mention, text: str) -> Mention:
    """Point `start`/`end` at the evidence inside the article text when the extractor counted from
    another string (the title prepended to the body); unchanged when the evidence is not in `text`."""
    evidence = mention.evidence or ""
    if evidence and text[mention.start:mention.start + len(evidence)] != evidence:
        pos = text.find(evidence)
        if pos >= 0:
            mention.start, mention.end = pos, pos + len(evidence)
    return mention


def event_record(m: Mention, event_id: str) -> dict[str, Any]:
    return {
        "recipient": m.recipient, "amount": m.amount, "currency": m.currency, "amount_eur": m.amount_eur,
        "investors": list(m.investors), "lead_investors": list(m.lead_investors), "country": m.country,
        "region": m.region, "region_code": m.region_code, "kind": m.kind, "round": m.round,
        "period": m.period, "event_id": event_id, "evidence": m.evidence, "start": m.start, "end": m.end,
    }


def extract_file(
    input_path: str | os.PathLike, output_path: str | os.PathLike, *,
    progress: Callable[[int], None] | None = None, batch_size: int = 32,
) -> dict[str, int]:
    """Analyse every input record, give one event id per real-world event, write the JSONL atomically."""
    for _ in read_records(input_path):  # a bad line fails now, before models load or output is written
        pass
    from nlp.extract import analyse  # spaCy models load here, not at CLI start-up

    records = read_records(input_path)
    published: dict[str, str | None] = {}
    texts: dict[str, str] = {}  # de-duplication may look for a recipient's name in another article

    def remember(stream: Iterator[ArticleIn]) -> Iterator[ArticleIn]:
        for rec in stream:
            published[rec.id] = rec.published
            texts[rec.id] = rec.text
            yield rec

    results: list[Analysis] = []
    for analysis in analyse(remember(records), batch_size=batch_size):
        date = analysis.published or published.get(analysis.id)
        text = texts.get(analysis.id, "")
        analysis.mentions = [realign(with_eur(m, date), text) for m in analysis.mentions]
        texts[analysis.id] = text[:CONTEXT_CHARS]
        results.append(analysis)
        if progress:
            progress(1)

    mentions = [m for a in results for m in a.mentions]
    event_ids = assign_event_ids([Report.of(m, f"{a.title or ''}\n{texts.get(a.id, '')}")
                                  for a in results for m in a.mentions])
    texts.clear()
    ids = iter(event_ids)

    out = Path(output_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")  # same folder, so the rename is atomic
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for a in results:
                line = {
                    "id": a.id, "lang": a.lang, "relevant": a.relevant, "score": a.score, "reason": a.reason,
                    "skip_reason": a.skip_reason, "events": [event_record(m, next(ids)) for m in a.mentions],
                }
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return {
        "records": len(results),
        "relevant": sum(a.relevant for a in results),
        "mentions": len(mentions),
        "events": len(set(event_ids)),
    }
