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


# Denormalised text of one event (names, places, evidence, article titles), kept by triggers in
# `event_search`, whose FTS5 index (`event_search_fts`) serves `db.search`, Datasette and the digest.
# `event_search.event_rowid` (its rowid) is the event's rowid, so Datasette can search `events` through the same index.
_SEARCH_SOURCE_VIEW = """
CREATE VIEW event_search_source AS
SELECT
  e.rowid AS event_rowid,
  e.id AS event_id,
  e.recipient AS recipient,
  trim(coalesce((SELECT group_concat(o.name || ' ' || coalesce(o.aliases, ''), ' ')
                 FROM event_organisations eo JOIN organisations o ON o.id = eo.org_id
                 WHERE eo.event_id = e.id), '')) AS organisations,
  e.investors AS investors,
  trim(coalesce(e.region, '') || ' ' || coalesce(e.region_code, '') || ' ' || coalesce(e.country, '') || ' '
       || coalesce((SELECT c.alpha_3 || ' ' || c.name_en || ' ' || c.name_fr
                    FROM country_names c WHERE c.code = upper(e.country)), '')) AS place,
  trim(coalesce(e.kind, '') || ' ' || coalesce(e.round, '')) AS kind,
  (SELECT group_concat(m.evidence, ' … ') FROM event_mentions m WHERE m.event_id = e.id) AS evidence,
  (SELECT group_concat(DISTINCT a.title) FROM event_mentions m JOIN articles a ON a.id = m.article_id
   WHERE m.event_id = e.id) AS titles,
  (SELECT group_concat(DISTINCT a.lang) FROM event_mentions m JOIN articles a ON a.id = m.article_id
   WHERE m.event_id = e.id AND a.lang IS NOT NULL) AS langs
FROM events e
"""

_SEARCH_COLUMNS = "event_rowid, event_id, recipient, organisations, investors, place, kind, evidence, titles, langs"


def _reindex(event_ids_sql: str) -> str:
    """Trigger body: recompute the search rows of the events selected by `event_ids_sql`."""
    return (
        f"DELETE FROM event_search WHERE event_id IN ({event_ids_sql});\n"
        f"INSERT INTO event_search ({_SEARCH_COLUMNS}) SELECT {_SEARCH_COLUMNS} FROM event_search_source "
        f"WHERE event_id IN ({event_ids_sql});"
    )


_SEARCH_TRIGGERS = {
    "events_ai": ("AFTER INSERT ON events", _reindex("SELECT NEW.id")),
    "events_au": ("AFTER UPDATE ON events", _reindex("SELECT OLD.id UNION SELECT NEW.id")),
    "events_ad": ("AFTER DELETE ON events", "DELETE FROM event_search WHERE event_id = OLD.id;"),
    "mentions_ai": ("AFTER INSERT ON event_mentions", _reindex("SELECT NEW.event_id")),
    "mentions_au": ("AFTER UPDATE ON event_mentions", _reindex("SELECT OLD.event_id UNION SELECT NEW.event_id")),
    "mentions_ad": ("AFTER DELETE ON event_mentions", _reindex("SELECT OLD.event_id")),
    "event_orgs_ai": ("AFTER INSERT ON event_organisations", _reindex("SELECT NEW.event_id")),
    "event_orgs_au": ("AFTER UPDATE ON event_organisations",
                      _reindex("SELECT OLD.event_id UNION SELECT NEW.event_id")),
    "event_orgs_ad": ("AFTER DELETE ON event_organisations", _reindex("SELECT OLD.event_id")),
    "orgs_au": ("AFTER UPDATE OF name, aliases ON organisations",
                _reindex("SELECT event_id FROM event_organisations WHERE org_id = NEW.id")),
    "articles_au": ("AFTER UPDATE OF title, lang ON articles",
                    _reindex("SELECT event_id FROM event_mentions WHERE article_id = NEW.id")),
}


@migrations()
def m002_search_index(db: Database) -> None:
    import gettext

    import pycountry

    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    db["country_names"].insert_all(
        ({"code": c.alpha_2, "alpha_3": c.alpha_3, "name_en": getattr(c, "common_name", c.name),
          "name_fr": french.gettext(c.name)} for c in pycountry.countries),
        pk="code",
    )
    db.execute(_SEARCH_SOURCE_VIEW)
    db["event_search"].create(
        {"event_rowid": int, "event_id": str, "recipient": str, "organisations": str, "investors": str,
         "place": str, "kind": str, "evidence": str, "titles": str, "langs": str},
        pk="event_rowid",
    )
    db["event_search"].create_index(["event_id"], unique=True)
    db["event_search"].enable_fts(
        ["recipient", "organisations", "investors", "place", "kind", "evidence", "titles"],
        fts_version="FTS5", tokenize="unicode61 remove_diacritics 2", create_triggers=True,
    )
    for name, (when, body) in _SEARCH_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER event_search_{name} {when} BEGIN\n{body}\nEND")
    db.execute(f"INSERT INTO event_search ({_SEARCH_COLUMNS}) SELECT {_SEARCH_COLUMNS} FROM event_search_source")


@migrations()
def m002_mention_leads(db: Database) -> None:
    """Lead investors per mention, so an event's `lead` links can be rebuilt from its sources."""
    db["event_mentions"].add_column("lead_investors", str)


@migrations()
def m003_search_speed(db: Database) -> None:
    """Indexes for the common searches (newest first, region, round) and planner statistics, so
    filtered queries keep using the right index (measured in BENCHMARKS.md)."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS events_newest ON events "
        "(substr(coalesce(announced, first_seen), 1, 10) DESC, amount_eur IS NULL, amount_eur DESC, id)"
    )
    db["events"].create_index(["region", "round"], if_not_exists=True)
    db["events"].create_index(["region_code"], if_not_exists=True)
    db["events"].create_index(["round"], if_not_exists=True)
    db.execute("ANALYZE")


@migrations()
def m004_ordered_indexes(db: Database) -> None:
    """Indexes already in the order results are shown (amount; newest within a region and round), so a
    common word or a large region reads the first page of events and stops, instead of sorting every
    match (BENCHMARKS.md)."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS events_largest ON events "
        "(amount_eur IS NULL, amount_eur DESC, coalesce(announced, first_seen) DESC, id)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS events_region_round_newest ON events (region, round, "
        "substr(coalesce(announced, first_seen), 1, 10) DESC, amount_eur IS NULL, amount_eur DESC, id)"
    )
    db.execute("DROP INDEX IF EXISTS idx_events_region_round")  # a prefix of the index above
    db.execute("ANALYZE events")
