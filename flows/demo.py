"""`fundwatch demo`: the whole daily pipeline against the bundled site, served on loopback, offline."""

from __future__ import annotations

import time
from pathlib import Path

from crawlers.sources import Source
from db.store import open_db
from flows.console import out, write_records
from flows.daily import daily
from flows.demo_server import serve_demo_site

DEMO_COLUMNS = ["recipient", "amount", "currency", "amount_eur", "country", "region", "kind", "round",
                "n_sources"]


def demo_sources(base_url: str) -> list[Source]:
    """The demo site's feed and sitemap; they overlap, as real outlets' do. The site is our own, on
    loopback, so no politeness delay (AutoThrottle still paces the crawl)."""
    return [
        Source(name="demo-feed", kind="feed", url=f"{base_url}/feed.xml", delay=0.0),
        # The demo's articles keep their dates; no lastmod cut-off, whatever day the demo runs.
        Source(name="demo-sitemap", kind="sitemap", url=f"{base_url}/sitemap.xml", max_age_days=36500, delay=0.0),
    ]


def run_demo(db_path: str, digest_dir: Path = Path("digests"), port: int | None = None) -> dict:
    started = time.monotonic()
    with serve_demo_site(port=port) as server:
        out.print(f"Demo news site served at {server.base_url}")
        report = daily(db_path=db_path, sources=demo_sources(server.base_url), digest_dir=str(digest_dir))
    _print_summary(db_path, report, time.monotonic() - started)
    return report


def _print_summary(db_path: str, report: dict, seconds: float) -> None:
    from db.search import search_events

    db = open_db(db_path, readonly=True)
    out.print(f"\n[bold]Run {report['run_id']}[/] finished in {seconds:.0f} s: fetched {report['fetched']}, "
              f"stored {report['stored']} new articles, skipped {report['skipped']}, "
              f"processed {report['processed']}, {report['mentions']} mentions, "
              f"{report['events_new']} new events.")
    counts = {t: db[t].count for t in ("articles", "events", "event_mentions", "organisations")}
    out.print("Database now holds " + ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in counts.items()) + ".")
    events = search_events(db, None, sort="amount", limit=100)
    write_records(events, "table", DEMO_COLUMNS, title="Funding events")
    out.print(f"Database: {Path(db_path).resolve()}")
    out.print(f"Digest:   {Path(report['digest']).resolve()}")
    out.print("Next: `fundwatch search wallonie --db …`, `fundwatch ui --db …`, `fundwatch digest --db …`")
