"""Middlewares: retries with backoff that honour Retry-After, and errbacks on every request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet.task import deferLater


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, but waiting before each retry of a 5xx/429.

    The wait is the server's Retry-After when given, else FUNDWATCH_RETRY_BACKOFF_BASE * 2**n; both are
    capped by FUNDWATCH_RETRY_BACKOFF_MAX, and a server asking for longer than that is not retried.
    The wait happens after the download slot is released, so other requests go on meanwhile.
    """

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("FUNDWATCH_RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("FUNDWATCH_RETRY_BACKOFF_MAX", 120.0)

    def backoff_delay(self, request: Request, response: Response) -> float | None:
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None:
            return asked if asked <= self.backoff_max else None
        tries = request.meta.get("retry_times", 0)
        return min(self.backoff_max, self.backoff_base * (2**tries))

    async def _wait(self, delay: float) -> None:
        if delay > 0:
            self.crawler.stats.inc_value("fundwatch/retry_backoff_seconds", delay)
            from twisted.internet import reactor  # the one Scrapy installed

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self.backoff_delay(request, response)
        if delay is None:
            self.crawler.stats.inc_value("fundwatch/retry_after_too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(delay)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        """Timeouts, refused connections, DNS failures: retried too, after the same backoff."""
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            tries = request.meta.get("retry_times", 0)
            await self._wait(min(self.backoff_max, self.backoff_base * (2**tries)))
        return retry


class SkipRecorderMiddleware:
    """Gives every request without an errback (e.g. those SitemapSpider builds) the spider's `on_error`,
    so that no URL fails without a recorded reason."""

    @staticmethod
    def _attach(result: Any, spider: Any) -> Any:
        if isinstance(result, Request) and result.errback is None and hasattr(spider, "on_error"):
            return result.replace(errback=spider.on_error)
        return result

    @classmethod
    def from_crawler(cls, crawler: Any) -> SkipRecorderMiddleware:
        mw = cls()
        mw.crawler = crawler
        return mw

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for result in start:
            yield self._attach(result, self.crawler.spider)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        for r in result:
            yield self._attach(r, self.crawler.spider)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for r in result:
            yield self._attach(r, self.crawler.spider)
