"""`fundwatch process` / `reprocess`: stored articles → NLP → mentions merged into lasting events.

Each article is one transaction (verdict, mentions, events, organisations), so a crash loses or
duplicates nothing and a re-run only picks up what is still `new`. Events keep their ids: a new
mention joins an existing event when nlp.dedup says it reports the same funding.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlite_utils import Database

from db import events as store
from db.articles import content_hash, mark_analysed
from flows.extract import realign
from nlp.currency import to_eur
from nlp.dedup import (
    AMOUNT_TOLERANCE,
    DATE_WINDOW_DAYS,
    Report,
    event_key,
    known_organisation,
    match_cluster,
    normalise_name,
    same_event,
    same_recipient,
)
from nlp.types import Analysis, ArticleIn, Mention

Progress = Callable[[int], None] | None
MENTION_FIELDS = ("recipient", "amount", "currency", "amount_eur", "investors", "lead_investors", "country",
                  "region", "region_code", "kind", "round", "period", "evidence", "start", "end")


def _report_from_row(row: dict[str, Any]) -> Report:
    """A stored mention as de-duplication compares it: with its article's date and text."""
    return Report.of(_mention_from_row(row), f"{row.get('article_title') or ''}\n{row.get('article_text') or ''}")


def _mention_from_row(row: dict[str, Any]) -> Mention:
    day = _published_day(row.get("article_published"))
    return Mention(
        recipient=row["recipient"], amount=row["amount"], currency=row["currency"],
        amount_eur=row["amount_eur"], investors=list(row.get("investors") or []), country=row["country"],
        region=row["region"], region_code=row["region_code"], kind=row["kind"] or "other", round=row["round"],
        period=row["period"], evidence=row["evidence"] or "", start=row["start"] or 0, end=row["end"] or 0,
        published=day,
    )


def _published_day(value: Any) -> str | None:
    return str(value)[:10] if value else None


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v not in (None, "", "other")), None)


def sync_event(db: Database, event_id: str) -> bool:
    """Recompute an event's columns and organisation links from its mentions; drop it when none is left.

    The recipient is the name most reports agree on; amount and currency come from the earliest report
    (later ones fill what it lacks), so an event does not flip as sources arrive. Returns False when the
    event was deleted.
    """
    rows = store.event_mentions(db, event_id)
    if not rows:
        store.delete_event(db, event_id)
        return False
    first = rows[0]
    spellings: dict[str, list[str]] = {}  # investor key -> every spelling the reports use
    for r in rows:
        for name in [*r["investors"], *_leads(r)]:
            names = spellings.setdefault(normalise_name(name), [])
            if name not in names:
                names.append(name)
    investors = [names[0] for names in spellings.values()]
    days = ([d for d in (_published_day(r["article_published"]) for r in rows) if d]
            or [d for d in (_published_day(r["article_fetched_at"]) for r in rows) if d])
    recipient = _consensus_recipient(rows)
    amount_row = first if first["amount"] is not None else next((r for r in rows if r["amount"] is not None), first)
    links: set[tuple[int, str]] = set()
    recipient_org = None
    if recipient:
        norm = _organisation_norm(db, recipient)
        recipient_org = store.upsert_organisation(db, recipient, norm, country=_first(r["country"] for r in rows))
        links.add((recipient_org, "recipient"))
        for r in rows:  # other spellings of the recipient become aliases of its organisation
            spelling = r["recipient"]
            if spelling and spelling != recipient and same_recipient(spelling, recipient)[0]:
                store.upsert_organisation(db, spelling, norm)
    leads = {normalise_name(n) for r in rows for n in _leads(r)}
    for norm, names in spellings.items():
        known = known_organisation(names[0])
        org_id = store.upsert_organisation(db, known[0] if known else names[0], norm,
                                           kind=(known[1] if known else None) or "investor")
        for name in names:  # each spelling as an alias
            store.upsert_organisation(db, name, norm)
        links.add((org_id, "investor"))
        if norm in leads:
            links.add((org_id, "lead"))
    store.update_event(db, event_id, {
        "recipient": recipient,
        "recipient_norm": normalise_name(recipient) if recipient else None,
        "recipient_org_id": recipient_org,
        "amount": amount_row["amount"],
        "currency": amount_row["currency"],
        "amount_eur": amount_row["amount_eur"],
        "investors": json.dumps(investors, ensure_ascii=False),
        "country": _first(r["country"] for r in rows),
        "region": _first(r["region"] for r in rows),
        "region_code": _first(r["region_code"] for r in rows),
        "kind": _first(r["kind"] for r in rows) or first["kind"] or "other",
        "round": _first(r["round"] for r in rows),
        "period": _first(r["period"] for r in rows),
        "announced": min(days) if days else None,
        "last_seen": max(r["created_at"] for r in rows),
        "n_sources": len({r["article_id"] for r in rows}),
        "langs": json.dumps(sorted({r["article_lang"] for r in rows if r["article_lang"]})),
    })
    store.replace_event_organisations(db, event_id, links)
    return True


def _organisation_norm(db: Database, name: str) -> str:
    """Key of the organisation `name` belongs to: an existing one under another spelling ("Mistral" for
    "Mistral AI", seen in an earlier round) or its own normalised name."""
    norm = normalise_name(name)
    first = norm.split()[0] if norm else ""
    if not first:
        return norm
    known = store.organisations_starting(db, first)
    if any(known_norm == norm for _, _, known_norm in known):
        return norm
    return next((known_norm for _, known_name, known_norm in known if same_recipient(name, known_name)[0]), norm)


def _consensus_recipient(rows: list[dict[str, Any]]) -> str | None:
    """The recipient most reports agree on (earliest report on a tie): one outlet's slip, e.g. naming
    an organisation of its sentence that is not the recipient, does not rename the event."""
    names = [r["recipient"] for r in rows if r["recipient"]]
    if not names:
        return None
    support = [sum(same_recipient(n, other)[0] for other in names) for n in names]
    return names[max(range(len(names)), key=lambda i: (support[i], -i))]


def _leads(row: dict[str, Any]) -> list[str]:
    value = row.get("lead_investors")
    if not value:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def _new_event_id(db: Database, mention: Mention) -> str:
    key, n = event_key(mention), 1
    while store.event_exists(db, key):  # a different event with the same key: keep them apart
        key, n = event_key(mention, salt=str(n)), n + 1
    return key


def merge_mention(
    db: Database, article: dict[str, Any], mention: Mention, extractor_version: str, *,
    reuse: list[tuple[str, Mention, str]] | None = None,
) -> tuple[str, bool, bool]:
    """Attach one mention to its event (existing or new). Returns (event id, new event?, stored?).

    `reuse` lists (event id, old mention, created_at) of the article's previous extraction: an event
    left without sources keeps its id when the re-extracted mention is still the same funding.
    """
    candidates = store.candidate_event_ids(
        db, day=mention.published, window_days=DATE_WINDOW_DAYS, amount_eur=mention.amount_eur,
        tolerance=AMOUNT_TOLERANCE, recipient_norms=[normalise_name(mention.recipient)] if mention.recipient else [],
    )
    clusters = [[_report_from_row(r) for r in store.event_mentions(db, eid, with_text=True)]
                for eid in candidates]
    keep = [i for i, c in enumerate(clusters) if c]
    context = f"{article.get('title') or ''}\n{article.get('text') or ''}"
    match = match_cluster(Report.of(mention, context), [clusters[i] for i in keep])
    created_at = None
    is_new = False
    if match.index is not None:
        event_id, reason = candidates[keep[match.index]], match.reason
    else:
        event_id = reason = None
        for old_id, old_mention, old_created in reuse or []:
            same, why = same_event(mention, old_mention)
            if same or (old_mention.start == mention.start and old_mention.end == mention.end):
                event_id, created_at = old_id, old_created
                reason = "re-extracted: " + (why if same else "same evidence sentence")
                if not store.event_exists(db, event_id):
                    store.create_event(db, event_id)
                break
        if event_id is None:
            event_id, reason, is_new = _new_event_id(db, mention), "new event", True
            store.create_event(db, event_id)
    if reuse:
        created_at = created_at or next((c for eid, _, c in reuse if eid == event_id), None)
    stored = store.add_mention(db, {
        **{k: getattr(mention, k) for k in MENTION_FIELDS},
        "event_id": event_id, "article_id": article["id"], "extractor_version": extractor_version,
        "merge_reason": reason, "created_at": created_at,
    })
    return event_id, is_new, stored


def _analysis_input(article: dict[str, Any], text: str | None = None) -> ArticleIn:
    return ArticleIn(id=str(article["id"]), text=text if text is not None else (article["text"] or ""),
                     lang=article.get("lang"), title=article.get("title"), url=article.get("url"),
                     published=_published_day(article.get("published")))


def _record(db: Database, article: dict[str, Any], analysis: Analysis, version: str, counts: Counter,
            skipped: Counter, reuse: list[tuple[str, Mention, str]] | None = None) -> set[str]:
    """Verdict + mentions of one article (the caller holds the transaction). Returns events touched."""
    mark_analysed(db, article["id"], lang=analysis.lang, relevant=analysis.relevant, score=analysis.score,
                  reason=analysis.reason, skip_reason=analysis.skip_reason, extractor_version=version)
    counts["processed"] += 1
    if analysis.skip_reason:
        skipped[analysis.skip_reason] += 1
    counts["relevant"] += bool(analysis.relevant)
    touched: set[str] = set()
    published = _published_day(article.get("published"))
    for mention in analysis.mentions:
        realign(mention, article.get("text") or "")
        # an undated article leaves the date criterion open (as in `extract`); the crawl day is no
        # evidence of when the funding happened, but it is the best day for the exchange rate
        mention.published = published
        if mention.amount_eur is None:
            mention.amount_eur = to_eur(mention.amount, mention.currency, published or store.article_day(article))
        event_id, is_new, stored = merge_mention(db, article, mention, version, reuse=reuse)
        touched.add(event_id)
        counts["mentions"] += stored
        counts["events_new" if is_new else "events_merged"] += stored
        sync_event(db, event_id)  # later mentions of this batch compare against an up-to-date event
    return touched


def _analyse(records: Iterator[ArticleIn], batch_size: int) -> Iterator[Analysis]:
    from nlp.extract import analyse  # loads the spaCy models once, on first use

    return analyse(records, batch_size=batch_size)


def _version() -> str:
    from nlp.extract import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


def _report(counts: Counter, skipped: Counter) -> dict[str, Any]:
    report: dict[str, Any] = {k: counts.get(k, 0) for k in
                              ("processed", "relevant", "mentions", "events_new", "events_merged")}
    report["skipped"] = dict(sorted(skipped.items()))
    return report


def process_articles(
    db: Database, *, batch_size: int = 32, progress: Progress = None, run_id: int | None = None,
    analyse: Callable[[Iterator[ArticleIn], int], Iterator[Analysis]] | None = None,
) -> dict[str, Any]:
    """Extract and merge every article still `new`; incremental and idempotent.

    `run_id` is accepted so flows can pass it; the caller records the returned counts in `runs`.
    `analyse` swaps the in-process extractor for another one with the same contract (e.g.
    `flows.parallel.analyse_in_parallel`, batches on a Dask cluster); only this process writes SQLite.
    """
    version = _version()
    ids = store.pending_article_ids(db)
    articles: dict[str, dict[str, Any]] = {}

    def records() -> Iterator[ArticleIn]:
        for article in store.iter_articles_by_id(db, ids):
            articles[str(article["id"])] = article
            yield _analysis_input(article)

    counts: Counter = Counter()
    skipped: Counter = Counter()
    for analysis in (analyse or _analyse)(records(), batch_size):
        article = articles.pop(analysis.id)
        with store.write_transaction(db):
            row = db.execute("SELECT status FROM articles WHERE id = ?", [article["id"]]).fetchone()
            if not row or row[0] != "new":
                continue  # done meanwhile by a concurrent run
            _record(db, article, analysis, version, counts, skipped)
        if progress:
            progress(1)
    db.execute("PRAGMA optimize")  # keep the planner's statistics current as the tables grow
    return _report(counts, skipped)


def _reextract_text(db: Database, article: dict[str, Any]) -> str:
    """The body from the stored HTML with today's extractor; the stored text when there is no HTML."""
    from crawlers.extract import extract_article
    from db.articles import article_html

    html = article_html(db, article["id"])
    if not html:
        return article["text"] or ""
    body = extract_article(html, article["url"], lang_hint=article.get("lang")).text
    return body or article["text"] or ""


def reprocess_articles(
    db: Database, *, force: bool = False, batch_size: int = 32, progress: Progress = None,
    run_id: int | None = None,
) -> dict[str, Any]:
    """Re-extract articles analysed by an older extractor (all with `force`) from their stored HTML.

    Each article's old mentions are replaced in one transaction; events keep their ids when the new
    mentions still report them, and events no article reports any more are removed.
    """
    version = _version()
    ids = store.outdated_article_ids(db, version, force=force)
    articles: dict[str, dict[str, Any]] = {}
    texts: dict[str, str] = {}

    def records() -> Iterator[ArticleIn]:
        for article in store.iter_articles_by_id(db, ids):
            text = _reextract_text(db, article)
            articles[str(article["id"])] = article
            texts[str(article["id"])] = text
            yield _analysis_input(article, text)

    counts: Counter = Counter()
    skipped: Counter = Counter()
    removed = 0
    for analysis in _analyse(records(), batch_size):
        article = articles.pop(analysis.id)
        text = texts.pop(analysis.id)
        with store.write_transaction(db):
            if text != (article["text"] or ""):  # offsets of the new mentions refer to this text
                db["articles"].update(article["id"], {"text": text, "content_hash": content_hash(text)})
                article["text"] = text
            old = store.delete_article_mentions(db, article["id"])
            reuse = []
            for row in old:
                row = {**row, "investors": json.loads(row["investors"]) if row["investors"] else [],
                       "article_published": article.get("published"), "article_fetched_at": article.get("fetched_at")}
                reuse.append((row["event_id"], _mention_from_row(row), row["created_at"]))
            touched = _record(db, article, analysis, version, counts, skipped, reuse=reuse)
            for event_id in {r["event_id"] for r in old} - touched:
                removed += not sync_event(db, event_id)
        if progress:
            progress(1)
    report = _report(counts, skipped)
    report["events_removed"] = removed
    return report


