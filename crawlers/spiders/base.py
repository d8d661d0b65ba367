"""What every fundwatch spider shares: the source, URL filters, article requests, and failure reasons."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TCPTimedOutError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.python.failure import Failure
from w3lib.url import url_query_cleaner

from crawlers.items import ArticleItem
from crawlers.recorder import TRACKING_PARAMS, Recorder
from crawlers.sources import Source

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def clean_url(url: str) -> str:
    """The URL without its fragment and tracking parameters, so feeds' utm_* variants are seen as one."""
    url = url.strip().split("#", 1)[0]
    if "?" not in url:
        return url
    return url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False)


def failure_reason(failure: Failure) -> tuple[str, str]:
    """(skip reason, detail) for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return "http_status", str(exc.response.status)
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if "robots.txt" in message:
            return "robots", message
        if "redirect" in message:
            return "redirect_loop", message
        return "fetch_error", message or "ignored"
    if isinstance(exc, DownloadTimeoutError | TxTimeoutError | TCPTimedOutError):
        return "timeout", str(exc) or type(exc).__name__
    if isinstance(exc, DownloadCancelledError):
        return "too_large", str(exc)[:300]
    return "fetch_error", f"{type(exc).__name__}: {exc}"[:300]


class ArticleSpiderMixin:
    """Mixed into Scrapy's own spiders. Needs `source` and `recorder` (passed by crawlers.__main__)."""

    source: Source
    recorder: Recorder

    def __init__(self, *args: Any, source: Source, recorder: Recorder, **kwargs: Any):
        self.source = source
        self.recorder = recorder
        self._allow = [re.compile(p) for p in source.allow]
        self._deny = [re.compile(p) for p in source.deny]
        super().__init__(*args, **kwargs)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        return spider

    # --- which URLs to fetch -------------------------------------------------------------------
    def wants(self, url: str) -> bool:
        """Allowed by the source's patterns, not already stored and not given up (unless refetching)."""
        if self._allow and not any(p.search(url) for p in self._allow):
            self.crawler.stats.inc_value("fundwatch/filtered")
            return False
        if any(p.search(url) for p in self._deny):
            self.crawler.stats.inc_value("fundwatch/filtered")
            return False
        if self.recorder.is_seen(url):
            self.crawler.stats.inc_value("fundwatch/seen")
            return False
        if self.recorder.is_given_up(url):
            self.crawler.stats.inc_value("fundwatch/given_up")
            return False
        return True

    def article_request(self, url: str, **hints: Any) -> Request | None:
        url = clean_url(url)
        if not url.startswith(("http://", "https://")) or not self.wants(url):
            return None
        return Request(url, callback=self.parse_article, errback=self.on_error,
                       cb_kwargs={"hints": {k: v for k, v in hints.items() if v}})

    # --- article pages ------------------------------------------------------------------------
    def parse_article(self, response: Response, hints: dict[str, Any] | None = None) -> Iterator[ArticleItem]:
        stats = self.crawler.stats
        stats.inc_value("fundwatch/fetched")
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        ctype = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
        is_html = isinstance(response, HtmlResponse) or ctype in HTML_TYPES or (
            isinstance(response, TextResponse) and not isinstance(response, XmlResponse)
            and b"<html" in response.body[:4096].lower())
        if not is_html:
            self.recorder.skip(stats, first_url, "not_html", detail=ctype.decode("latin-1") or "unknown",
                               source=self.source.name)
            return
        if not response.body.strip():
            self.recorder.skip(stats, first_url, "empty_body", detail="empty response", source=self.source.name)
            return
        hints = hints or {}
        yield ArticleItem(
            url=response.url,
            requested_url=first_url,
            source=self.source.name,
            source_lang=self.source.lang,
            html=response.text,
            http_status=response.status,
            encoding=response.encoding,
            fetched_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            hint_published=hints.get("published"),
            hint_title=hints.get("title"),
        )

    # --- failures -----------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is None:
            return
        reason, detail = failure_reason(failure)
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        if reason == "http_status":
            self.crawler.stats.inc_value("fundwatch/fetched")
        self.recorder.skip(self.crawler.stats, url, reason, detail=detail, source=self.source.name)

    def on_request_dropped(self, request: Request, spider: Any = None) -> None:
        """The scheduler drops a request it has already seen in this run: for a redirect, say why."""
        chain = request.meta.get("redirect_urls")
        if not chain:
            return
        if request.url in chain:
            reason, detail = "redirect_loop", f"redirects back to {request.url}"
        else:
            reason, detail = "duplicate", f"redirects to {request.url}, already fetched in this run"
        self.recorder.skip(self.crawler.stats, chain[0], reason, detail=detail, source=self.source.name)
