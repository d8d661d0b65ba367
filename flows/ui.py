"""`fundwatch ui`: Datasette over the fundwatch database, read-only, with metadata analysts need.

Datasette opens a mutable file with `mode=ro` connections, so it never writes to it while still
seeing what the daily run adds (immutable mode would cache a snapshot and ignore the WAL). No
Datasette plugin is installed, so no write endpoint exists either.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_SEARCH_MATCH = ("e.rowid IN (SELECT rowid FROM event_search_fts WHERE event_search_fts MATCH "
                 "'{recipient organisations investors} : \"' || replace(:org, '\"', '\"\"') || '\"')")
_EVENT_FIELDS = ("e.announced, e.recipient, e.amount, e.currency, e.amount_eur, e.kind, e.round, e.country, "
                 "e.region, e.investors, e.n_sources, e.id")
_DAY = "substr(coalesce(e.announced, e.first_seen), 1, 10)"

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "largest_rounds_this_month": {
        "title": "Largest rounds this month",
        "description": "Funding events announced since the first day of the current month, largest (in EUR) first.",
        "sql": f"SELECT {_EVENT_FIELDS} FROM events e WHERE {_DAY} >= date('now', 'start of month') "
               "ORDER BY e.amount_eur IS NULL, e.amount_eur DESC LIMIT 50",
    },
    "totals_by_country_and_quarter": {
        "title": "Totals by country and quarter",
        "description": "Number of events and amounts (EUR) per country and calendar quarter of announcement.",
        "sql": "SELECT coalesce(country, '?') AS country, "
               "strftime('%Y', d) || '-Q' || ((CAST(strftime('%m', d) AS INTEGER) + 2) / 3) AS quarter, "
               "count(*) AS events, sum(amount_eur) AS total_eur, max(amount_eur) AS largest_eur "
               f"FROM (SELECT e.country, e.amount_eur, {_DAY} AS d FROM events e) "
               "GROUP BY 1, 2 ORDER BY quarter DESC, total_eur DESC",
    },
    "most_active_investors": {
        "title": "Most active investors",
        "description": "Investors by number of funding events they took part in, with the total of those events.",
        "sql": """WITH participation AS (
  SELECT e.id AS event_id, trim(j.value) AS investor, e.amount_eur
  FROM events e, json_each(CASE WHEN json_valid(e.investors)
                           THEN CASE WHEN json_type(e.investors) = 'array' THEN e.investors ELSE '[]' END
                           ELSE '[]' END) j
  UNION
  SELECT eo.event_id, o.name, e.amount_eur
  FROM event_organisations eo JOIN organisations o ON o.id = eo.org_id JOIN events e ON e.id = eo.event_id
  WHERE eo.role LIKE '%invest%'
)
SELECT investor, count(DISTINCT event_id) AS events, sum(amount_eur) AS total_eur
FROM participation WHERE investor <> '' GROUP BY investor
ORDER BY events DESC, total_eur DESC LIMIT 100""",
    },
    "events_for_organisation": {
        "title": "Events for an organisation",
        "description": "Every event whose recipient or investors include this organisation "
                       "(accents and case ignored).",
        "sql": f"SELECT {_EVENT_FIELDS} FROM events e WHERE {_SEARCH_MATCH} ORDER BY {_DAY} DESC",
        "params": ["org"],
    },
}

EVENT_COLUMNS_DOC = {
    "id": "Stable identifier of the real-world event (equal across the articles that report it).",
    "recipient": "Organisation or programme that receives the money.",
    "amount": "Amount in the currency the articles used (see currency).",
    "currency": "ISO 4217 code of the original amount.",
    "amount_eur": "Amount converted to euros (EUR) with the European Central Bank's rate.",
    "investors": "Investors, lenders or funders named by the articles (JSON list).",
    "country": "ISO 3166-1 alpha-2 code of the recipient's country.",
    "region": "Region as written for readers, e.g. Wallonie, Île-de-France.",
    "region_code": "ISO 3166-2 code of the region.",
    "kind": "private_round, public_program, grant, debt, acquisition or other.",
    "round": "Stage of a private round: pre-seed, seed, series_a...",
    "period": "Time over which the amount is spread, when the article says so.",
    "announced": "Date the event was announced (earliest article), YYYY-MM-DD.",
    "first_seen": "When fundwatch first stored this event (UTC).",
    "last_seen": "When an article last mentioned it (UTC).",
    "n_sources": "Number of articles reporting the event.",
    "langs": "Languages of those articles.",
}


def _language_facet(db_path: str | os.PathLike) -> str | dict[str, str]:
    """`langs` as an array facet (db/events stores JSON lists), unless the file holds other values."""
    try:
        conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT count(*), sum(json_valid(langs) AND substr(langs, 1, 1) = '[') FROM events "
                "WHERE langs IS NOT NULL AND langs <> ''"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return "langs"
    total, arrays = row[0] or 0, row[1] or 0
    return {"array": "langs"} if arrays == total else "langs"


def datasette_metadata(db_path: str | os.PathLike) -> dict[str, Any]:
    """Titles, descriptions, units, facets, full-text search and canned queries for this database."""
    name = Path(db_path).stem
    return {
        "title": "fundwatch: AI funding events",
        "description": "Funding events for artificial intelligence (startup rounds, public programmes, grants, "
                       "loans) extracted from French and English news, with the articles that report them.",
        "custom_units": ["euro = [currency] = EUR"],
        "databases": {
            name: {
                "title": "fundwatch database",
                "description": "Read-only view. Search events with the search box; amounts in EUR are "
                               "converted with ECB rates.",
                "queries": CANNED_QUERIES,
                "tables": {
                    "events": {
                        "title": "Funding events",
                        "description": "One row per real-world funding event, merged across articles and "
                                       "languages. Full-text search covers recipients, investors, places, "
                                       "evidence sentences and article titles, accents ignored.",
                        "sort_desc": "announced",
                        "facets": ["country", "region", "kind", "round", _language_facet(db_path), "currency"],
                        "fts_table": "event_search_fts",
                        "fts_pk": "rowid",
                        "searchmode": "escaped",
                        "units": {"amount_eur": "EUR"},
                        "columns": EVENT_COLUMNS_DOC,
                        "label_column": "recipient",
                    },
                    "event_mentions": {
                        "title": "Evidence: events as each article reports them",
                        "description": "The sentence that reports the event, with character offsets in the "
                                       "article text.",
                        "facets": ["currency", "kind", "country", "extractor_version"],
                        "units": {"amount_eur": "EUR"},
                        "columns": {"evidence": "Sentence of the article that reports the event.",
                                    "start": "Offset of the evidence in the article text (characters).",
                                    "end": "End offset of the evidence (characters).",
                                    "amount_eur": "Amount converted to euros (EUR)."},
                    },
                    "articles": {
                        "title": "Articles",
                        "description": "News articles fetched, with why each was skipped or processed.",
                        "facets": ["lang", "status", "skip_reason", "source", "relevant"],
                        "sort_desc": "published",
                        "columns": {"canonical_url": "The URL that identifies the article (rel=canonical).",
                                    "skip_reason": "Why the article was not analysed (language, too short, "
                                                   "not relevant...).",
                                    "relevance_score": "How strongly the text is about AI funding (0 to 1)."},
                    },
                    "organisations": {"title": "Organisations", "facets": ["kind", "country"],
                                      "label_column": "name"},
                    "event_organisations": {"title": "Who takes part in each event", "facets": ["role"]},
                    "event_search": {"title": "Search text of each event",
                                     "description": "Denormalised text indexed for full-text search "
                                                    "(kept current by triggers)."},
                    "skipped_urls": {"title": "URLs not stored, with the reason", "facets": ["reason", "source"]},
                    "runs": {"title": "Runs", "description": "One row per crawl, process or daily run.",
                             "facets": ["kind", "status"], "sort_desc": "id"},
                    "country_names": {"title": "Country names (English and French)"},
                    "_sqlite_migrations": {"hidden": True},
                },
            }
        },
    }


def metadata_file(db_path: str | os.PathLike) -> Path:
    """Write the metadata where Datasette can read it: one file per database, rewritten each time."""
    resolved = Path(db_path).resolve()
    folder = Path(tempfile.gettempdir()) / "fundwatch-ui"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{resolved.stem}-{hashlib.sha1(str(resolved).encode()).hexdigest()[:12]}.json"
    tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(datasette_metadata(resolved), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(target)
    return target


def datasette_command(db_path: str | os.PathLike, port: int = 8001, host: str = "127.0.0.1") -> list[str]:
    """The `python -m datasette serve` command line for this database (metadata file written first)."""
    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}; run `fundwatch demo` or `fundwatch crawl` first")
    return [
        sys.executable, "-m", "datasette", "serve", str(path.resolve()),
        "--host", host, "--port", str(int(port)),
        "--metadata", str(metadata_file(path)),
        "--setting", "sql_time_limit_ms", "3000",
        "--setting", "default_page_size", "50",
        "--setting", "facet_time_limit_ms", "500",
    ]


def serve_ui(db_path: str | os.PathLike, port: int = 8001, host: str = "127.0.0.1") -> int:
    """Run Datasette until interrupted; stopping fundwatch (Ctrl-C or SIGTERM) stops Datasette too."""
    command = datasette_command(db_path, port, host)
    print(f"fundwatch UI on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    proc = subprocess.Popen(command)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
