"""The data of a newsletter digest: the period's events, headline figures, groups and chart series.

Rendering (Markdown, HTML, JSON, CSV) lives in flows/digest.py; this module only queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from db.search import EVENT_COLUMNS, SearchError, fetch_events

PERIODS = ("week", "month")
GROUP_BYS = ("country", "kind")
KIND_LABELS = {
    "private_round": "private round", "public_program": "public programme", "grant": "grant",
    "debt": "loan", "acquisition": "acquisition", "other": "other funding",
}
KIND_GROUPS = {
    "private_round": "Private rounds", "public_program": "Public programmes", "grant": "Grants",
    "debt": "Loans and debt", "acquisition": "Acquisitions", "other": "Other funding",
}
ROUND_LABELS = {"pre-seed": "Pre-seed", "pre_seed": "Pre-seed", "seed": "Seed", "series_a": "Series A",
                "series_b": "Series B", "series_c": "Series C", "series_d": "Series D", "growth": "Growth"}
MAX_EVENTS = 2_000


def _parse_day(value: str | date | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise SearchError(f"--{name} must be a date written YYYY-MM-DD, not {value!r}") from None


def period_bounds(
    since: str | date | None = None, until: str | date | None = None, period: str = "week",
    today: date | None = None,
) -> tuple[date, date]:
    """Inclusive first and last day: `until` defaults to today, `since` to one period before it."""
    if period not in PERIODS:
        raise SearchError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    last = _parse_day(until, "until") or today or datetime.now(UTC).date()
    first = _parse_day(since, "since")
    if first is None:
        if period == "week":
            first = last - timedelta(days=6)
        else:
            month_before = (last.replace(day=1) - timedelta(days=1))
            first = month_before.replace(day=min(last.day, _days_in(month_before))) + timedelta(days=1)
    if first > last:
        raise SearchError(f"--since ({first}) is after --until ({last})")
    return first, last


def _days_in(day: date) -> int:
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (nxt - timedelta(days=1)).day


def digest_events(db: Database, first: date, last: date, new_since: str | None = None) -> list[dict[str, Any]]:
    """Events announced in [first, last] (or, with `new_since`, first seen since that timestamp)."""
    cols = ", ".join("e." + c for c in EVENT_COLUMNS)
    if new_since:
        where, params = "e.first_seen >= ?", [new_since]
    else:
        where = "substr(coalesce(e.announced, e.first_seen), 1, 10) BETWEEN ? AND ?"
        params = [first.isoformat(), last.isoformat()]
    sql = (f"SELECT {cols} FROM events e WHERE {where} "
           "ORDER BY e.amount_eur IS NULL, e.amount_eur DESC, e.announced DESC, e.id LIMIT ?")
    return fetch_events(db, sql, [*params, MAX_EVENTS])


def _country_names(db: Database) -> dict[str, dict[str, str]]:
    if not db["country_names"].exists():
        return {}
    return {r["code"]: r for r in db["country_names"].rows}


def _week_label(day: str | None) -> str:
    if not day:
        return "undated"
    try:
        year, week, _ = date.fromisoformat(day[:10]).isocalendar()
    except ValueError:
        return "undated"
    return f"{year}-W{week:02d}"


def digest_data(
    db: Database, *, since: str | date | None = None, until: str | date | None = None, period: str = "week",
    group_by: str = "country", new_since: str | None = None, today: date | None = None,
) -> dict[str, Any]:
    """Everything a digest shows, as plain JSON-ready data."""
    if group_by not in GROUP_BYS:
        raise SearchError(f"group_by must be one of {', '.join(GROUP_BYS)}, not {group_by!r}")
    first, last = period_bounds(since, until, period, today)
    events = digest_events(db, first, last, new_since)
    countries = _country_names(db)
    for ev in events:
        code = (ev.get("country") or "").upper()
        ev["country_name"] = countries.get(code, {}).get("name_en") or code or "Unknown country"
        ev["kind_label"] = KIND_LABELS.get(ev.get("kind") or "", (ev.get("kind") or "other").replace("_", " "))
        ev["round_label"] = ROUND_LABELS.get(ev.get("round") or "", (ev.get("round") or "").replace("_", " "))
    with_eur = [e for e in events if e.get("amount_eur") is not None]
    largest = max(with_eur, key=lambda e: e["amount_eur"], default=None)

    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ev in events:
        kind = ev.get("kind") or "other"
        key = ev["country_name"] if group_by == "country" else KIND_GROUPS.get(kind, ev["kind_label"])
        grouped[key].append(ev)
    groups = [
        {"label": label, "events": evs, "count": len(evs),
         "total_eur": sum(e["amount_eur"] or 0 for e in evs)}
        for label, evs in grouped.items()
    ]
    groups.sort(key=lambda g: (-g["total_eur"], g["label"]))

    by_country: dict[str, float] = defaultdict(float)
    by_week: dict[str, float] = defaultdict(float)
    for ev in with_eur:
        by_country[ev["country_name"]] += ev["amount_eur"]
        by_week[_week_label(ev.get("announced") or ev.get("first_seen"))] += ev["amount_eur"]
    return {
        "period": {"since": first.isoformat(), "until": last.isoformat(), "kind": period,
                   "new_since": new_since},
        "headline": {
            "events": len(events),
            "total_eur": sum(e["amount_eur"] for e in with_eur),
            "largest": largest,
            "countries": len({e.get("country") for e in events if e.get("country")}),
            "sources": len({s["url"] for e in events for s in e["sources"]}),
            "by_kind": {KIND_GROUPS.get(k, k): sum(1 for e in events if (e.get("kind") or "other") == k)
                        for k in sorted({e.get("kind") or "other" for e in events})},
        },
        "group_by": group_by,
        "groups": groups,
        "events": events,
        "chart": {
            "by_country": sorted(({"label": k, "total_eur": v} for k, v in by_country.items()),
                                 key=lambda r: -r["total_eur"]),
            "by_week": [{"label": k, "total_eur": v} for k, v in sorted(by_week.items())],
        },
    }
