"""Item pipelines: extract the article from the page, then store it (or record why not)."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import lxml.html
from scrapy.exceptions import DropItem

from crawlers.extract import choose_language, extract_article, looks_binary

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """Body, title, date, authors, canonical URL and language; drops (with a reason) what is not an article."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        settings = crawler.settings
        self.langs = tuple(settings.getlist("FUNDWATCH_LANGS", ["fr", "en"]))
        self.min_words = settings.getint("FUNDWATCH_MIN_WORDS", 40)
        self.min_lang_share = settings.getfloat("FUNDWATCH_LANG_MIN_SHARE", 0.1)
        self.enabled = settings.getbool("FUNDWATCH_EXTRACT", True)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        return cls(crawler)

    def _drop(self, item: Any, reason: str, detail: str) -> DropItem:
        spider = self.crawler.spider
        spider.recorder.skip(self.crawler.stats, item["requested_url"], reason, detail=detail,
                             source=item.get("source"))
        return DropItem(f"{reason}: {detail}")

    def process_item(self, item: Any) -> Any:
        html = item["html"]
        if looks_binary(html):
            raise self._drop(item, "not_html", "binary content served as HTML")
        if not self.enabled:
            return self._without_extraction(item)
        try:
            found = extract_article(html, item["url"], lang_hint=item.get("source_lang"))
        except Exception as exc:  # a library choking on one page must not lose the page's reason
            logger.exception("extraction failed on %s", item["url"])
            raise self._drop(item, "empty_body", f"extraction error: {type(exc).__name__}: {exc}"[:300]) from exc
        if found.words < self.min_words:
            raise self._drop(item, "empty_body", f"{found.words} words of body text (< {self.min_words})")
        lang = choose_language(found.lang_candidates, self.langs, min_share=self.min_lang_share,
                               hint=item.get("source_lang") or found.html_lang)
        if lang is None:
            raise self._drop(item, "language", f"detected {found.lang or 'unknown'}, wanted {'/'.join(self.langs)}")
        item.update(
            text=found.text, title=found.title or item.get("hint_title"),
            published=found.published or item.get("hint_published"), authors=found.authors,
            canonical_url=found.canonical_url or item["url"], lang=lang,
        )
        return item

    def _without_extraction(self, item: Any) -> Any:
        """Benchmark mode: page text as is, no trafilatura/htmldate/langdetect."""
        try:
            text = lxml.html.document_fromstring(item["html"]).text_content() if item["html"].strip() else ""
        except (lxml.etree.ParserError, ValueError):
            text = ""
        if not text.strip():
            raise self._drop(item, "empty_body", "no text")
        item.update(text=text, title=item.get("hint_title"), published=item.get("hint_published"),
                    authors=[], canonical_url=item["url"], lang=item.get("source_lang"))
        return item


class StorePipeline:
    """Saves through db.articles (stored / updated / unchanged / alias) and counts each outcome."""

    FIELDS = ("url", "requested_url", "canonical_url", "source", "title", "published", "authors", "lang",
              "text", "html", "fetched_at", "http_status", "encoding")

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record = {k: item.get(k) for k in self.FIELDS}
        try:
            self.crawler.spider.recorder.save(self.crawler.stats, record)
        except sqlite3.Error as exc:
            # The database refused the write (locked past the busy timeout, disk full): count it so
            # the run report shows it, and go on with the other pages.
            self.crawler.stats.inc_value("fundwatch/store_errors")
            logger.error("could not store %s: %s", item.get("url"), exc)
            raise DropItem(f"store error: {exc}") from exc
        return item
