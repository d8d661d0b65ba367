"""Listing pages (a section front, a tag page): follow article links one level deep, nothing further."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

from crawlers.spiders.base import ArticleSpiderMixin, clean_url

# Links that are never articles, whatever the site (used when a source gives no `deny`).
DEFAULT_DENY = (
    r"/(tags?|categor(y|ie|ies)|rubriques?|author|auteurs?|page|search|recherche|login|account|"
    r"newsletter|abonnement|subscribe|contact|about|a-propos|mentions-legales|privacy|cookies)(/|$)",
    r"\.(pdf|jpe?g|png|gif|svg|zip|mp3|mp4)$",
)


def site_domain(url: str) -> str:
    """The listing's site for LinkExtractor's allow_domains: host[:port], without a leading "www."
    (so www.x.com and x.com pages both count)."""
    netloc = urlsplit(url).netloc.lower().rsplit("@", 1)[-1]
    return netloc.removeprefix("www.")


class ListingSpider(ArticleSpiderMixin, CrawlSpider):
    name = "listing"

    def __init__(self, *args: Any, **kwargs: Any):
        source = kwargs["source"]
        self.start_urls = [source.url]
        self.rules = (
            Rule(
                LinkExtractor(allow=source.allow, deny=source.deny or DEFAULT_DENY,
                              allow_domains=[site_domain(source.url)], unique=True),
                callback="parse_article", errback="on_error", follow=False,
                process_request="keep_request",
            ),
        )
        super().__init__(*args, **kwargs)

    def keep_request(self, request: Request, response: Response) -> Request | None:
        """Rule hook: the `seen` check (allow/deny already applied by the LinkExtractor)."""
        url = clean_url(request.url)
        if self.recorder.is_seen(url):
            self.crawler.stats.inc_value("fundwatch/seen")
            return None
        if self.recorder.is_given_up(url):
            self.crawler.stats.inc_value("fundwatch/given_up")
            return None
        return request.replace(url=url, cb_kwargs={})
