"""Each kind of source over loopback: sitemap index with lastmod filter, Atom feed found by `--url`,
listing page one level deep, plain page, per-source report, refetch."""

from __future__ import annotations

import sqlite3

import pytest
from fixtures.crawl import fault_server as fault  # tests/ is on sys.path

from crawlers.runner import CrawlError, run_crawl
from crawlers.sources import Source, load_sources

FAST = fault.FAST


@pytest.fixture(scope="module")
def site():
    with fault.FaultServer() as server:
        yield server


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinds")
    sources = folder / "sources.toml"
    sources.write_text(f"""
[defaults]
delay = 0

[[source]]
name = "news sitemap"
kind = "sitemap"
url = "{site.url('/sitemap_index.xml')}"
lang = "en"

[[source]]
name = "front page"
kind = "listing"
url = "{site.url('/listing.html')}"
""", encoding="utf-8")
    db_path = str(folder / "kinds.db")
    report = run_crawl(db_path, sources_file=str(sources), settings=FAST)
    return {"db": db_path, "report": report, "log": list(site.log), "sources": str(sources)}


def requested(log) -> list[str]:
    return [p for p, _, _ in log]


def stored_paths(db_path: str, site) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {u.replace(site.base, "") for (u,) in conn.execute("SELECT url FROM articles")}


def test_sources_file_is_read(crawled):
    assert [s.name for s in load_sources(crawled["sources"])] == ["news sitemap", "front page"]


def test_sitemap_index_followed_with_lastmod_filter(crawled):
    paths = requested(crawled["log"])
    assert "/sitemap-news.xml" in paths
    assert "/sitemap-2015.xml" not in paths  # its lastmod is years old
    assert "/news/novabot.html" in paths and "/news/wallonie.html" in paths
    per = crawled["report"]["per_source"]["news sitemap"]
    assert per["too_old"] == 2  # the old child sitemap and the old article entry


def test_listing_follows_article_links_one_level_only(crawled, site):
    paths = requested(crawled["log"])
    for p in fault.GOOD[:3]:
        assert p in paths
    assert "/tag/ai/" not in paths and "/about/" not in paths  # default deny list
    assert "/news/kvanta.html" not in paths  # only linked from a second-level page
    per = crawled["report"]["per_source"]["front page"]
    # listing2.html is an allowed link but not an article: recorded, not stored
    assert per["skipped"] == {"empty_body": 1}


def test_sources_of_one_site_run_one_after_the_other(crawled):
    paths = requested(crawled["log"])
    # the sitemap source is listed first: all its pages come before the listing source starts
    assert paths.index("/listing.html") > max(paths.index(p) for p in fault.GOOD[:2])


def test_per_source_counts_add_up(crawled, site):
    report = crawled["report"]
    per = report["per_source"]
    assert set(per) == {"news sitemap", "front page"}
    assert per["news sitemap"]["stored"] == 2
    # the listing links to the two pages the sitemap source just stored: not fetched again
    assert per["front page"]["stored"] == 1 and per["front page"]["seen"] == 2
    assert report["stored"] == 3 and report["unchanged"] == 0 and report["alias"] == 0
    assert stored_paths(crawled["db"], site) == set(fault.GOOD[:3])


def test_adhoc_urls_are_detected(crawled, site, tmp_path):
    db_path = str(tmp_path / "adhoc.db")
    report = run_crawl(db_path, urls=[site.url("/atom.xml"), site.url("/news/kvanta.html")], settings=FAST)
    assert stored_paths(db_path, site) == set(fault.GOOD[:2]) | {"/news/kvanta.html"}
    assert report["per_source"]["adhoc"]["stored"] == 3


def test_adhoc_sitemap_url_and_refetch(crawled, site, tmp_path):
    db_path = str(tmp_path / "refetch.db")
    first = run_crawl(db_path, urls=[site.url("/sitemap-news.xml")], settings=FAST)
    assert first["stored"] == 2
    # the same sitemap as a declared source (what the daily flow passes): nothing fetched again
    again = run_crawl(db_path, sources=[Source(name="n", kind="sitemap", url=site.url("/sitemap-news.xml"))],
                      settings=FAST)
    assert again["fetched"] == 0 and again["per_source"]["n"]["seen"] == 2
    forced = run_crawl(db_path, urls=[site.url("/sitemap-news.xml")], settings=FAST, refetch=True)
    assert forced["fetched"] == 2 and forced["unchanged"] == 2 and forced["stored"] == 0


def test_bad_input_fails_before_crawling(tmp_path):
    with pytest.raises(ValueError, match="http"):
        run_crawl(str(tmp_path / "x.db"), urls=["ftp://example.org/feed"])
    with pytest.raises(FileNotFoundError):
        run_crawl(str(tmp_path / "x.db"), sources_file=str(tmp_path / "missing.toml"))


def test_crash_in_crawl_process_is_reported(tmp_path):
    # a database path that is a directory cannot be opened: the subprocess fails, the caller hears why
    with pytest.raises(CrawlError, match="exited with status"):
        run_crawl(str(tmp_path), urls=["http://127.0.0.1:9/"], settings=FAST)


def test_a_crawl_past_its_timeout_is_stopped(site, tmp_path):
    slow = {**FAST, "DOWNLOAD_TIMEOUT": 30}
    with pytest.raises(CrawlError, match="did not finish"):
        run_crawl(str(tmp_path / "t.db"), urls=[site.url("/news/stalled.html")], settings=slow, timeout=1.0,
                  refetch=True)
