"""Storage of funding events, the mentions that report them, and the organisations involved.

Only reads and writes: deciding which mentions form one event is nlp.dedup's job, called from flows/.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from db.timeutil import now_iso

MENTION_COLUMNS = (
    "event_id", "article_id", "recipient", "amount", "currency", "amount_eur", "investors", "country",
    "region", "region_code", "kind", "round", "period", "evidence", "start", "end", "extractor_version",
    "merge_reason", "created_at", "lead_investors",
)


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One article's work as one transaction, taking the write lock up front (BEGIN IMMEDIATE) so a
    concurrent run waits for the busy timeout instead of failing when its read turns into a write."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def article_day(article: dict[str, Any]) -> str | None:
    """The day an article reports on: its publication date, else the day it was fetched."""
    value = article.get("published") or article.get("fetched_at")
    return str(value)[:10] if value else None


def pending_article_ids(db: Database) -> list[int]:
    """Articles waiting for extraction, oldest first (ids only, so writes never disturb a cursor)."""
    return [r[0] for r in db.execute("SELECT id FROM articles WHERE status = 'new' ORDER BY id")]


def outdated_article_ids(db: Database, extractor_version: str, *, force: bool = False) -> list[int]:
    """Articles analysed by another extractor version (or never), or all of them when forced."""
    if force:
        return [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")]
    rows = db.execute(
        "SELECT id FROM articles WHERE extractor_version IS NULL OR extractor_version != ? ORDER BY id",
        [extractor_version],
    )
    return [r[0] for r in rows]


def iter_articles_by_id(db: Database, ids: Sequence[int], chunk: int = 64) -> Iterator[dict[str, Any]]:
    """Stream the given articles (without HTML) in id order, a chunk of rows at a time."""
    for i in range(0, len(ids), chunk):
        part = list(ids[i:i + chunk])
        marks = ",".join("?" * len(part))
        cursor = db.execute(
            f"SELECT id, url, canonical_url, title, published, fetched_at, lang, text, status, extractor_version"
            f" FROM articles WHERE id IN ({marks}) ORDER BY id", part)
        cols = [c[0] for c in cursor.description]
        yield from (dict(zip(cols, row, strict=True)) for row in cursor.fetchall())


def candidate_event_ids(
    db: Database, *, day: str | None, window_days: int, amount_eur: float | None, tolerance: float,
    recipient_norms: Iterable[str] = (),
) -> list[str]:
    """Events that could be the same funding: same recipient key, or close in date and amount."""
    where, params = [], []
    if day:
        d = date.fromisoformat(day[:10])
        where.append("(announced IS NULL OR announced BETWEEN ? AND ?)")
        params += [(d - timedelta(days=window_days)).isoformat(), (d + timedelta(days=window_days)).isoformat()]
    if amount_eur is not None:
        where.append("(amount_eur IS NULL OR amount_eur BETWEEN ? AND ?)")
        params += [amount_eur * (1 - tolerance) / (1 + tolerance), amount_eur * (1 + tolerance) / (1 - tolerance)]
    sql = "SELECT id FROM events WHERE " + (" AND ".join(where) if where else "1")
    norms = [n for n in recipient_norms if n]
    if norms:
        sql += f" UNION SELECT id FROM events WHERE recipient_norm IN ({','.join('?' * len(norms))})"
        params += norms
    return [r[0] for r in db.execute(sql + " ORDER BY 1", params)]


def event_exists(db: Database, event_id: str) -> bool:
    return db.execute("SELECT 1 FROM events WHERE id = ?", [event_id]).fetchone() is not None


def event_mentions(db: Database, event_id: str, *, with_text: bool = False) -> list[dict[str, Any]]:
    """Mentions of one event with their article's date and language (and text), earliest report first."""
    text = ", a.title AS article_title, a.text AS article_text" if with_text else ""
    cursor = db.execute(
        f"""SELECT m.*, a.published AS article_published, a.fetched_at AS article_fetched_at,
                  a.lang AS article_lang, a.url AS article_url{text}
           FROM event_mentions m JOIN articles a ON a.id = m.article_id
           WHERE m.event_id = ?
           ORDER BY coalesce(substr(a.published, 1, 10), substr(a.fetched_at, 1, 10)), m.id""",
        [event_id],
    )
    cols = [c[0] for c in cursor.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cursor.fetchall()]
    for row in rows:
        row["investors"] = json.loads(row["investors"]) if row["investors"] else []
    return rows


def article_mentions(db: Database, article_id: int) -> list[dict[str, Any]]:
    cursor = db.execute("SELECT * FROM event_mentions WHERE article_id = ? ORDER BY id", [article_id])
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, r, strict=True)) for r in cursor.fetchall()]


def create_event(db: Database, event_id: str, first_seen: str | None = None) -> None:
    """A new event row; its other columns are filled by `update_event` from its mentions."""
    now = first_seen or now_iso()
    db["events"].insert({"id": event_id, "first_seen": now, "last_seen": now, "n_sources": 0}, pk="id")


def add_mention(db: Database, mention: dict[str, Any]) -> bool:
    """Store one mention; False when this article already reports it (same offsets, amount, version)."""
    row = {k: mention.get(k) for k in MENTION_COLUMNS}
    for key in ("investors", "lead_investors"):
        if isinstance(row[key], list):
            row[key] = json.dumps(row[key], ensure_ascii=False)
    row["created_at"] = row["created_at"] or now_iso()
    cursor = db.execute(
        f"INSERT OR IGNORE INTO event_mentions ({', '.join(f'[{c}]' for c in MENTION_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(MENTION_COLUMNS))})",
        [row[c] for c in MENTION_COLUMNS],
    )
    return cursor.rowcount == 1


def delete_article_mentions(db: Database, article_id: int) -> list[dict[str, Any]]:
    """Remove an article's mentions (before re-extraction) and return them."""
    old = article_mentions(db, article_id)
    db.execute("DELETE FROM event_mentions WHERE article_id = ?", [article_id])
    return old


def update_event(db: Database, event_id: str, row: dict[str, Any]) -> None:
    """Write only the columns that changed, so a re-run leaves rows (and search triggers) alone."""
    current = db["events"].get(event_id)
    changed = {k: v for k, v in row.items() if current.get(k) != v}
    if changed:
        db["events"].update(event_id, changed)


def delete_event(db: Database, event_id: str) -> None:
    """Drop an event no article reports any more (its organisation links go with it)."""
    db.execute("DELETE FROM event_organisations WHERE event_id = ?", [event_id])
    db.execute("DELETE FROM events WHERE id = ?", [event_id])


def upsert_organisation(
    db: Database, name: str, norm: str, *, country: str | None = None, kind: str | None = None,
) -> int:
    """One row per normalised name; every spelling seen is kept in `aliases` (JSON list)."""
    row = db.execute("SELECT id, aliases, country, kind FROM organisations WHERE norm = ?", [norm]).fetchone()
    if row is None:
        return db["organisations"].insert(
            {"name": name, "norm": norm, "kind": kind, "country": country,
             "aliases": json.dumps([name], ensure_ascii=False)},
        ).last_pk
    org_id, aliases_json, old_country, old_kind = row
    aliases = json.loads(aliases_json) if aliases_json else []
    changes: dict[str, Any] = {}
    if name not in aliases:
        changes["aliases"] = json.dumps(sorted([*aliases, name]), ensure_ascii=False)
    if country and not old_country:
        changes["country"] = country
    if kind and not old_kind:
        changes["kind"] = kind
    if changes:
        db["organisations"].update(org_id, changes)
    return org_id


def organisations_starting(db: Database, prefix: str, limit: int = 50) -> list[tuple[int, str, str]]:
    """(id, name, norm) of organisations whose normalised name starts with `prefix`."""
    rows = db.execute("SELECT id, name, norm FROM organisations WHERE norm >= ? AND norm < ? ORDER BY norm LIMIT ?",
                      [prefix, prefix + "\uffff", limit])
    return [tuple(r) for r in rows]


def replace_event_organisations(db: Database, event_id: str, links: Iterable[tuple[int, str]]) -> None:
    """Set who received and who gave the money for one event (roles: recipient, investor, lead)."""
    wanted = set(links)
    current = {(r[0], r[1]) for r in db.execute(
        "SELECT org_id, role FROM event_organisations WHERE event_id = ?", [event_id])}
    for org_id, role in current - wanted:
        db.execute("DELETE FROM event_organisations WHERE event_id = ? AND org_id = ? AND role = ?",
                   [event_id, org_id, role])
    for org_id, role in sorted(wanted - current):
        db.execute("INSERT INTO event_organisations (event_id, org_id, role) VALUES (?, ?, ?)",
                   [event_id, org_id, role])
