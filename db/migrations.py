"""Versioned schema of the fundwatch database (sqlite-utils migrations).

Append new migrations at the end; never edit one that has shipped.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("fundwatch")


@migrations()
def m001_initial(db: Database) -> None:
    db["sources"].create(
        {"name": str, "kind": str, "url": str, "lang": str, "allow": str, "deny": str,
         "delay": float, "added_at": str},
        pk="name",
    )
    db["runs"].create(
        {"id": int, "kind": str, "started_at": str, "finished_at": str, "status": str,
         "fetched": int, "stored": int, "skipped": int, "processed": int, "mentions": int,
         "events_new": int, "report": str, "error": str},
        pk="id",
    )
    db["articles"].create(
        {"id": int, "canonical_url": str, "url": str, "source": str, "title": str,
         "published": str, "authors": str, "lang": str, "text": str, "html": bytes,
         "content_hash": str, "http_status": int, "encoding": str, "fetched_at": str,
         "run_id": int, "status": str, "skip_reason": str, "relevant": int,
         "relevance_score": float, "relevance_reason": str, "processed_at": str,
         "extractor_version": str},
        pk="id",
        not_null={"canonical_url", "url", "content_hash", "fetched_at", "status"},
        defaults={"status": "new"},
    )
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["status"])
    db["article_aliases"].create(
        {"url": str, "article_id": int, "reason": str, "seen_at": str},
        pk="url", foreign_keys=[("article_id", "articles", "id")],
    )
    db["skipped_urls"].create(
        {"url": str, "reason": str, "detail": str, "source": str, "run_id": int,
         "attempts": int, "first_seen": str, "last_seen": str},
        pk="url",
    )
    db["skipped_urls"].create_index(["reason"])
    db["organisations"].create(
        {"id": int, "name": str, "norm": str, "kind": str, "country": str, "aliases": str},
        pk="id", not_null={"name", "norm"},
    )
    db["organisations"].create_index(["norm"], unique=True)
    db["events"].create(
        {"id": str, "recipient": str, "recipient_norm": str, "recipient_org_id": int,
         "amount": float, "currency": str, "amount_eur": float, "investors": str,
         "country": str, "region": str, "region_code": str, "kind": str, "round": str,
         "period": str, "announced": str, "first_seen": str, "last_seen": str,
         "n_sources": int, "langs": str},
        pk="id",
    )
    for cols in (["recipient_norm"], ["country"], ["kind"], ["announced"], ["amount_eur"]):
        db["events"].create_index(cols)
    db["event_mentions"].create(
        {"id": int, "event_id": str, "article_id": int, "recipient": str, "amount": float,
         "currency": str, "amount_eur": float, "investors": str, "country": str, "region": str,
         "region_code": str, "kind": str, "round": str, "period": str, "evidence": str,
         "start": int, "end": int, "extractor_version": str, "merge_reason": str,
         "created_at": str},
        pk="id",
        foreign_keys=[("event_id", "events", "id"), ("article_id", "articles", "id")],
    )
    db["event_mentions"].create_index(["article_id", "extractor_version", "start", "amount"], unique=True)
    db["event_mentions"].create_index(["event_id"])
    db["event_organisations"].create(
        {"event_id": str, "org_id": int, "role": str},
        pk=("event_id", "org_id", "role"),
        foreign_keys=[("event_id", "events", "id"), ("org_id", "organisations", "id")],
    )
