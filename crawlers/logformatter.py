"""Log lines that name the URL instead of dumping whole items (they carry the page's HTML)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter


class ArticleLogFormatter(LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> dict[str, Any]:
        # The reason is already recorded in skipped_urls: INFO is enough.
        return {"level": logging.INFO, "msg": "Not stored %(url)s: %(exception)s",
                "args": {"url": item.get("requested_url") or item.get("url"), "exception": exception}}

    def scraped(self, item: Any, response: Any, spider: Any) -> dict[str, Any]:
        return {"level": logging.DEBUG, "msg": "Extracted %(url)s (%(lang)s, %(words)d words)",
                "args": {"url": item.get("url"), "lang": item.get("lang"),
                         "words": len((item.get("text") or "").split())}}
