"""`--url` of any kind: fetch it, then treat it as a feed, a sitemap or an article page by what came back."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.spiders import XMLFeedSpider
from scrapy.utils.gz import gunzip, gzip_magic_number

from crawlers.spiders.base import clean_url
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.sitemap import NewsSitemapSpider

_ROOT = re.compile(rb"<\s*([A-Za-z_][\w.:-]*)")
_PROLOG = re.compile(rb"^(\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.S | re.I)
FEED_ROOTS = {b"rss", b"feed", b"rdf"}
SITEMAP_ROOTS = {b"urlset", b"sitemapindex"}


def root_element(body: bytes) -> bytes | None:
    """Local name of the first element, lower-cased, skipping BOM, XML declaration, comments, doctype."""
    head = body[:8192].lstrip(b"\xef\xbb\xbf")
    while (m := _PROLOG.match(head)) and m.end() > 0:
        head = head[m.end():]
    m = _ROOT.match(head)
    if not m:
        return None
    return m.group(1).split(b":")[-1].lower()


def detect_kind(response: Response) -> str:
    """'sitemap', 'feed', 'page' or 'other', from the robots.txt URL, root element or content type."""
    if response.url.endswith("/robots.txt"):
        return "sitemap"
    body = response.body
    if gzip_magic_number(response):
        try:
            body = gunzip(body, max_size=1 << 20)
        except Exception:  # noqa: BLE001 - a broken gzip is just "not a sitemap"
            return "other"
    root = root_element(body)
    if root in SITEMAP_ROOTS:
        return "sitemap"
    if root in FEED_ROOTS:
        return "feed"
    if root == b"html" or isinstance(response, HtmlResponse):
        return "page"
    ctype = response.headers.get(b"Content-Type", b"").lower()
    if b"html" in ctype:
        return "page"
    return "other"


class AdhocSpider(FeedSpider, NewsSitemapSpider):
    """Scrapy's XMLFeedSpider and SitemapSpider behaviour behind one detecting callback."""

    name = "adhoc"

    def __init__(self, *args: Any, urls: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.urls = urls or [self.source.url]

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            url = clean_url(url)
            if self.recorder.is_seen(url):
                self.crawler.stats.inc_value("fundwatch/seen")
                continue
            yield Request(url, callback=self.detect, errback=self.on_error)

    def detect(self, response: Response) -> Iterable[Any]:
        kind = detect_kind(response)
        self.crawler.stats.inc_value(f"fundwatch/detected/{kind}")
        self.logger.info("%s detected as %s", response.url, kind)
        if kind == "sitemap":
            if not isinstance(response, XmlResponse) and not response.url.endswith("/robots.txt") \
                    and not gzip_magic_number(response):
                response = response.replace(cls=XmlResponse)
            return self._parse_sitemap(response)
        if kind == "feed":
            if not isinstance(response, TextResponse):
                response = response.replace(cls=XmlResponse)
            return XMLFeedSpider._parse(self, response)
        return self.parse_article(response)
