"""What one crawl process writes to the database: articles, skip reasons, and progress lines.

One Recorder per `python -m crawlers` process, shared by its spiders and pipelines; every write also
bumps the crawler's Scrapy stats (`fundwatch/...`), which become the run report.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from db import articles
from db.store import open_db

TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
    "xtor", "at_medium", "at_campaign", "fbclid", "gclid", "mc_cid", "mc_eid",
)


class Recorder:
    def __init__(self, db_path: str, *, run_id: int | None = None, refetch: bool = False,
                 progress: bool = False, max_attempts: int = 3):
        self.db = open_db(db_path)
        self.run_id = run_id
        self.refetch = refetch
        self.progress = progress
        self.seen: set[str] = set() if refetch else articles.seen_urls(self.db)
        # `--refetch` tries everything again, given-up URLs included
        self.given_up: set[str] = set() if refetch else articles.given_up_urls(self.db, max_attempts)

    def is_seen(self, url: str) -> bool:
        return not self.refetch and url in self.seen

    def is_given_up(self, url: str) -> bool:
        """Skipped before for good (its language, a 404...) or too many times: not requested again."""
        return url in self.given_up

    def emit(self, event: str, **fields: Any) -> None:
        """One JSON line on stdout for the runner's progress callback."""
        if self.progress:
            sys.stdout.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
            sys.stdout.flush()

    def skip(self, stats: Any, url: str, reason: str, *, detail: str | None = None,
             source: str | None = None) -> None:
        articles.record_skip(self.db, url, reason, detail=detail, source=source, run_id=self.run_id)
        stats.inc_value(f"fundwatch/skipped/{reason}")
        self.emit("skipped", url=url, reason=reason, detail=detail, source=source)

    def save(self, stats: Any, item: dict[str, Any]) -> articles.SaveResult:
        """Store one extracted page (`requested_url`: the URL asked for, before redirects)."""
        requested = item.pop("requested_url", None)
        result = articles.save_article(self.db, {**item, "run_id": self.run_id})
        stats.inc_value(f"fundwatch/saved/{result.status}")
        if requested and requested != item.get("url"):
            # Reached through a redirect (feed tracking links, moved pages): saving the same article
            # under the requested URL records that URL as an alias, so the next run skips it.
            articles.save_article(self.db, {**item, "url": requested, "run_id": self.run_id,
                                            "canonical_url": item.get("canonical_url") or item.get("url")})
        for url in (item.get("url"), item.get("canonical_url"), requested):
            if url:
                self.seen.add(url)
        self.emit(result.status, url=item.get("url"), article_id=result.article_id, source=item.get("source"))
        return result

    def close(self) -> None:
        self.db.conn.close()
