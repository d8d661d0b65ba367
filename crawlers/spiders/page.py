"""Article pages given directly (a `page` source, or `--url` of a page)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Spider

from crawlers.spiders.base import ArticleSpiderMixin


class PageSpider(ArticleSpiderMixin, Spider):
    name = "page"

    def __init__(self, *args: Any, urls: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.urls = urls or [self.source.url]

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            if request := self.article_request(url):
                yield request
