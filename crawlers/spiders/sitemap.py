"""Sitemaps (urlset, sitemap index, news sitemaps, robots.txt `Sitemap:` lines) with a lastmod filter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request
from scrapy.spiders import SitemapSpider

from crawlers.spiders.base import ArticleSpiderMixin, clean_url


def parse_lastmod(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class NewsSitemapSpider(ArticleSpiderMixin, SitemapSpider):
    name = "sitemap"
    sitemap_rules = [("", "parse_article")]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sitemap_urls = [self.source.url]

    async def start(self) -> AsyncIterator[Any]:
        for url in self.sitemap_urls:
            yield Request(url, callback=self._parse_sitemap, errback=self.on_error, dont_filter=True)

    def max_age(self) -> timedelta | None:
        days = self.source.max_age_days or self.crawler.settings.getint("FUNDWATCH_SITEMAP_MAX_AGE_DAYS")
        return timedelta(days=days) if days and days > 0 else None

    def sitemap_filter(self, entries: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        """Drop entries older than the age limit (by lastmod); and article URLs outside the source's
        patterns or already stored. Requests get their errback from SkipRecorderMiddleware."""
        max_age = self.max_age()
        oldest = datetime.now(UTC) - max_age if max_age else None
        is_index = getattr(entries, "type", None) == "sitemapindex"  # Scrapy passes its Sitemap object
        for entry in entries:
            lastmod = parse_lastmod(entry.get("lastmod"))
            if oldest and lastmod and lastmod < oldest:
                self.crawler.stats.inc_value("fundwatch/too_old")
                continue
            loc = entry.get("loc")
            if not loc:
                continue
            if is_index:
                yield entry
                continue
            loc = clean_url(loc)
            if self.wants(loc):
                yield {**entry, "loc": loc}
