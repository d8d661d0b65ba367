"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: one article request per entry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.selector import Selector
from scrapy.spiders import XMLFeedSpider

from crawlers.spiders.base import ArticleSpiderMixin

LINK_XPATHS = (
    "*[local-name()='link'][@href][not(@rel) or @rel='alternate']/@href",  # Atom
    "*[local-name()='link']/text()",                                        # RSS
    "*[local-name()='guid'][not(@isPermaLink='false')]/text()",
)
DATE_XPATH = ("*[local-name()='pubDate' or local-name()='published' or local-name()='updated' "
              "or local-name()='date' or local-name()='issued']/text()")


class FeedSpider(ArticleSpiderMixin, XMLFeedSpider):
    name = "feed"
    iterator = "xml"
    # One tag test for the three dialects: RSS/RDF <item>, Atom <entry> (namespaces ignored).
    itertag = "*[local-name()='item' or local-name()='entry']"

    async def start(self) -> AsyncIterator[Any]:
        yield Request(self.source.url, errback=self.on_error, dont_filter=True)

    def parse_node(self, response: Response, selector: Selector) -> Request | None:
        self.crawler.stats.inc_value("fundwatch/feed_entries")
        link = next((v.strip() for xp in LINK_XPATHS if (v := selector.xpath(xp).get()) and v.strip()), None)
        if not link:
            return None
        return self.article_request(
            response.urljoin(link),
            published=(selector.xpath(DATE_XPATH).get() or "").strip() or None,
            title=(selector.xpath("*[local-name()='title']/text()").get() or "").strip() or None,
        )
