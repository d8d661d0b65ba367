"""Articles: stored once per canonical URL, with aliases and a reason for every URL not stored."""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.timeutil import now_iso

ARTICLE_COLUMNS = (
    "id", "url", "canonical_url", "source", "title", "published", "authors", "lang", "text",
    "content_hash", "fetched_at", "status", "skip_reason", "relevant", "relevance_score",
    "relevance_reason", "processed_at", "extractor_version",
)


@dataclass
class SaveResult:
    status: str  # stored | unchanged | updated | alias
    article_id: int


def content_hash(text: str) -> str:
    """Hash of the body with whitespace and case folded, so trivial re-renders hash the same."""
    folded = re.sub(r"\s+", " ", text or "").strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def compress_html(html: str | bytes | None) -> bytes | None:
    if html is None:
        return None
    raw = html.encode("utf-8") if isinstance(html, str) else html
    return zlib.compress(raw, 6)


def article_html(db: Database, article_id: int) -> str | None:
    """The stored page, decompressed, so articles can be re-extracted later."""
    row = db.execute("SELECT html FROM articles WHERE id = ?", [article_id]).fetchone()
    if not row or row[0] is None:
        return None
    return zlib.decompress(row[0]).decode("utf-8", errors="replace")


def _add_alias(db: Database, url: str, article_id: int, reason: str) -> None:
    if db.execute("SELECT 1 FROM articles WHERE canonical_url = ?", [url]).fetchone():
        return
    db["article_aliases"].insert(
        {"url": url, "article_id": article_id, "reason": reason, "seen_at": now_iso()},
        pk="url", ignore=True,
    )


def save_article(db: Database, item: dict[str, Any]) -> SaveResult:
    """Insert or refresh one fetched article; never creates a second row for the same page."""
    url = item["url"]
    canonical = item.get("canonical_url") or url
    text = item.get("text") or ""
    digest = content_hash(text)
    authors = item.get("authors")
    row = {
        "url": url,
        "canonical_url": canonical,
        "source": item.get("source"),
        "title": item.get("title"),
        "published": item.get("published"),
        "authors": json.dumps(authors, ensure_ascii=False) if isinstance(authors, list) else authors,
        "lang": item.get("lang"),
        "text": text,
        "html": compress_html(item.get("html")),
        "content_hash": digest,
        "http_status": item.get("http_status"),
        "encoding": item.get("encoding"),
        "fetched_at": item.get("fetched_at") or now_iso(),
        "run_id": item.get("run_id"),
    }
    with db.atomic():
        db.execute("DELETE FROM skipped_urls WHERE url IN (?, ?)", [url, canonical])
        existing = db.execute(
            "SELECT id, content_hash FROM articles WHERE canonical_url = ?", [canonical]
        ).fetchone()
        if existing:
            article_id, old_hash = existing
            if url != canonical:
                _add_alias(db, url, article_id, "canonical")
            if old_hash == digest:
                return SaveResult("unchanged", article_id)
            row.update(status="new", processed_at=None, skip_reason=None)
            db["articles"].update(article_id, row)
            return SaveResult("updated", article_id)
        alias = db.execute(
            "SELECT article_id FROM article_aliases WHERE url = ?", [canonical]
        ).fetchone() or db.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND text != '' LIMIT 1", [digest]
        ).fetchone()
        if alias:
            _add_alias(db, canonical, alias[0], "same content")
            if url != canonical:
                _add_alias(db, url, alias[0], "same content")
            return SaveResult("alias", alias[0])
        row["status"] = "new"
        article_id = db["articles"].insert(row).last_pk
        if url != canonical:
            _add_alias(db, url, article_id, "canonical")
        return SaveResult("stored", article_id)


def record_skip(
    db: Database, url: str, reason: str, *, detail: str | None = None,
    source: str | None = None, run_id: int | None = None,
) -> None:
    """Remember why a URL was not stored; repeated failures count attempts instead of adding rows."""
    now = now_iso()
    with db.atomic():
        db.execute(
            """INSERT INTO skipped_urls (url, reason, detail, source, run_id, attempts, first_seen, last_seen)
               VALUES (?, ?, ?, ?, ?, 1, ?, ?)
               ON CONFLICT(url) DO UPDATE SET reason = excluded.reason, detail = excluded.detail,
                 source = coalesce(excluded.source, source), run_id = excluded.run_id,
                 attempts = attempts + 1, last_seen = excluded.last_seen""",
            [url, reason, detail, source, run_id, now, now],
        )


# Skips the same URL would give again: its language, not a page, robots.txt, over the size cap.
PERMANENT_SKIPS = ("language", "not_html", "robots", "too_large")
GONE_STATUSES = ("404", "410")


def given_up_urls(db: Database, max_attempts: int) -> set[str]:
    """URLs not worth requesting again: skipped for a reason that does not go away (PERMANENT_SKIPS, HTTP
    404/410), or skipped `max_attempts` times (timeouts, 5xx, empty bodies that never fill)."""
    marks = ", ".join("?" * len(PERMANENT_SKIPS))
    gone = ", ".join("?" * len(GONE_STATUSES))
    rows = db.execute(
        f"SELECT url FROM skipped_urls WHERE reason IN ({marks}) "
        f"OR (reason = 'http_status' AND detail IN ({gone})) OR attempts >= ?",
        [*PERMANENT_SKIPS, *GONE_STATUSES, max_attempts],
    ).fetchall()
    return {r[0] for r in rows}


def seen_urls(db: Database) -> set[str]:
    """Every URL that leads to a stored article (fetched, canonical or alias)."""
    rows = db.execute(
        "SELECT url FROM articles UNION SELECT canonical_url FROM articles UNION SELECT url FROM article_aliases"
    ).fetchall()
    return {r[0] for r in rows}


def iter_articles(
    db: Database, *, status: str | None = None, lang: str | None = None,
    since: str | None = None, limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Stream stored articles (without their HTML), oldest first."""
    where, params = [], []
    if status:
        where.append("status = ?")
        params.append(status)
    if lang:
        where.append("lang = ?")
        params.append(lang)
    if since:
        where.append("coalesce(published, fetched_at) >= ?")
        params.append(since)
    sql = f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    cursor = db.execute(sql, params)
    cols = [c[0] for c in cursor.description]
    for values in cursor:
        yield dict(zip(cols, values, strict=True))


def mark_analysed(
    db: Database, article_id: int, *, lang: str | None, relevant: bool, score: float, reason: str,
    skip_reason: str | None, extractor_version: str,
) -> None:
    """Record the NLP verdict on an article; `skipped` articles keep their reason."""
    db["articles"].update(article_id, {
        "lang": lang,
        "relevant": int(bool(relevant)),
        "relevance_score": score,
        "relevance_reason": reason,
        "status": "skipped" if skip_reason else "processed",
        "skip_reason": skip_reason,
        "processed_at": now_iso(),
        "extractor_version": extractor_version,
    })


def count_by(db: Database, table: str, column: str) -> dict[str, int]:
    """Small report helper: row counts grouped by one column of a known table."""
    if table not in {"articles", "skipped_urls", "events"} or not db[table].exists():
        raise ValueError(f"cannot count {table}.{column}")
    if column not in db[table].columns_dict:
        raise ValueError(f"no column {column} in {table}")
    return {str(k): n for k, n in db.execute(f"SELECT {column}, count(*) FROM {table} GROUP BY 1").fetchall()}
