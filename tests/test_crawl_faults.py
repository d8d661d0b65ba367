"""A real Scrapy crawl (subprocess, loopback) of a site that misbehaves in every way we know of."""

from __future__ import annotations

import sqlite3

import pytest
from fixtures.crawl import fault_server as fault  # tests/ is on sys.path

from crawlers.recorder import Recorder
from crawlers.runner import run_crawl
from db.articles import PERMANENT_SKIPS

FAST = fault.FAST


@pytest.fixture(scope="module")
def site():
    with fault.FaultServer(stall=6.0, retry_after=1) as server:
        yield server


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    """First crawl of the feed, then a second one, on one database."""
    db_path = str(tmp_path_factory.mktemp("crawl") / "faults.db")
    events: list[dict] = []
    first = run_crawl(db_path, urls=[site.url("/feed.xml")], settings=FAST, progress=events.append, run_id=7)
    requests_after_first = len(site.log)
    second = run_crawl(db_path, urls=[site.url("/feed.xml")], settings=FAST)
    requests_after_second = len(site.log)
    third = run_crawl(db_path, urls=[site.url("/feed.xml")], settings={**FAST, "FUNDWATCH_MAX_ATTEMPTS": 2})
    return {"db": db_path, "first": first, "second": second, "third": third, "events": events,
            "first_log": site.log[:requests_after_first],
            "second_log": site.log[requests_after_first:requests_after_second],
            "third_log": site.log[requests_after_second:]}


def rows(db_path: str, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_every_good_article_is_stored_once(crawled, site):
    stored = rows(crawled["db"], "SELECT url FROM articles")
    urls = sorted(u for (u,) in stored)
    assert len(urls) == len(set(urls))
    good = {site.url(p) for p in fault.GOOD}
    # novabot and its syndicated copy are one article: exactly one of the two URLs has the row
    assert good - {site.url("/news/novabot.html")} <= set(urls)
    assert site.url("/news/relocated.html") in urls  # stored under the URL the redirect led to
    assert len(urls) == len(fault.GOOD) + len(fault.MOVED)
    assert crawled["first"]["stored"] == len(fault.GOOD) + len(fault.MOVED)


def test_same_content_at_two_urls_is_one_article_plus_an_alias(crawled, site):
    pair = {site.url("/news/novabot.html"), site.url("/news/syndicated-novabot.html")}
    in_articles = {u for (u,) in rows(crawled["db"], "SELECT url FROM articles")} & pair
    aliases = {u for (u,) in rows(crawled["db"], "SELECT url FROM article_aliases")} & pair
    assert len(in_articles) == 1 and aliases == pair - in_articles
    assert crawled["first"]["alias"] == 1


def test_every_bad_url_has_its_reason(crawled, site):
    reasons = dict(rows(crawled["db"], "SELECT url, reason FROM skipped_urls"))
    expected = {site.url(p): r for p, r in fault.BAD.items()}
    assert reasons == expected
    counts: dict[str, int] = {}
    for r in fault.BAD.values():
        counts[r] = counts.get(r, 0) + 1
    assert crawled["first"]["skipped"] == counts


def test_robots_disallowed_path_is_never_requested(crawled):
    paths = [p for p, _, _ in crawled["first_log"] + crawled["second_log"]]
    assert "/robots.txt" in paths
    assert not any(p.startswith("/private/") for p in paths)


def test_transient_503_is_retried_after_retry_after(crawled):
    times = [t for p, t, _ in crawled["first_log"] if p == "/news/flaky.html"]
    assert len(times) == 2
    # backoff base is 0.05 s here: only the server's Retry-After (1 s) explains this gap
    assert times[1] - times[0] >= 0.95


def test_stalled_page_times_out_after_one_retry(crawled):
    assert [p for p, _, _ in crawled["first_log"]].count("/news/stalled.html") == 2
    detail = rows(crawled["db"], "SELECT detail FROM skipped_urls WHERE reason = 'timeout'")[0][0]
    assert f"{FAST['DOWNLOAD_TIMEOUT']} seconds" in detail


def test_redirect_chain_is_cut_at_the_limit_and_a_cycle_at_once(crawled, site):
    chain = [p for p, _, _ in crawled["first_log"] if p.startswith("/news/chain/")]
    assert len(chain) == FAST["REDIRECT_MAX_TIMES"] + 1
    assert [p for p, _, _ in crawled["first_log"]].count("/news/loop-a.html") == 1
    details = dict(rows(crawled["db"], "SELECT url, detail FROM skipped_urls WHERE reason = 'redirect_loop'"))
    assert details[site.url("/news/chain/0.html")] == "max redirections reached"
    assert details[site.url("/news/loop-a.html")] == f"redirects back to {site.url('/news/loop-a.html')}"


def test_windows_1252_pages_are_decoded(crawled, site):
    for path in ("/news/oenologix.html", "/news/oenologix-capteur.html"):
        (text, title, enc, lang), = rows(
            crawled["db"], f"SELECT text, title, encoding, lang FROM articles WHERE url = '{site.url(path)}'")
        assert "Œnologix" in title and "’" in title
        assert "3,5 M€" in text and "« Nous voulons" in text and "\ufffd" not in text
        assert enc == "cp1252" and lang == "fr"


def test_malformed_markup_still_yields_the_body(crawled, site):
    url = site.url("/news/kvanta.html")
    (text, title), = rows(crawled["db"], f"SELECT text, title FROM articles WHERE url = '{url}'")
    assert title.startswith("Oslo fintech Kvanta")
    assert "pension funds" in text and "written justification" in text and "Copyright" not in text


def test_feed_tracking_parameters_are_dropped(crawled):
    urls = [u for (u,) in rows(crawled["db"], "SELECT url FROM articles UNION SELECT url FROM skipped_urls")]
    assert urls and not any("utm_source" in u for u in urls)


def test_user_agent_names_fundwatch_and_a_contact(crawled):
    agents = {ua for _, _, ua in crawled["first_log"]}
    assert len(agents) == 1
    assert agents.pop().startswith("fundwatch/0.1 (+")


def test_progress_lines_report_each_outcome(crawled):
    events = crawled["events"]
    assert sum(e["event"] == "stored" for e in events) == crawled["first"]["stored"]
    assert sum(e["event"] == "skipped" for e in events) == len(fault.BAD)


def test_second_run_stores_nothing_and_refetches_no_stored_page(crawled, site):
    second = crawled["second"]
    assert second["stored"] == 0 and second["alias"] == 0 and second["updated"] == 0
    assert second["seen"] == len(fault.GOOD) + len(fault.ALIASES) + len(fault.MOVED)
    requested = {p for p, _, _ in crawled["second_log"]}
    # the redirecting URL was recorded as an alias of the article it leads to: not requested either
    assert not requested & (set(fault.GOOD) | set(fault.ALIASES) | set(fault.MOVED))
    assert rows(crawled["db"], "SELECT count(*) FROM articles")[0][0] == len(fault.GOOD) + len(fault.MOVED)


def test_first_run_rows_carry_its_run_id(crawled):
    assert rows(crawled["db"], "SELECT DISTINCT run_id FROM articles") == [(7,)]


# skips the same URL would give again: asked once, never again (404 is `http_status` with detail 404)
GIVEN_UP_AT_ONCE = {p for p, r in fault.BAD.items() if r in PERMANENT_SKIPS or p == "/news/missing.html"}


def test_urls_that_cannot_succeed_are_not_requested_again(crawled, site):
    assert len(GIVEN_UP_AT_ONCE) >= 5
    second = {p for p, _, _ in crawled["second_log"]}
    assert not second & GIVEN_UP_AT_ONCE
    assert crawled["second"]["given_up"] == len(GIVEN_UP_AT_ONCE)
    assert set(fault.BAD) - GIVEN_UP_AT_ONCE <= second, "timeouts, loops and empty bodies are tried again"
    # after FUNDWATCH_MAX_ATTEMPTS skips (2 in the third run) those are given up too
    third = {p for p, _, _ in crawled["third_log"]}
    assert not third & set(fault.BAD) and crawled["third"]["given_up"] == len(fault.BAD)
    attempts = dict(rows(crawled["db"], "SELECT url, attempts FROM skipped_urls"))
    assert attempts == {site.url(p): 1 if p in GIVEN_UP_AT_ONCE else 2 for p in fault.BAD}


def test_refetch_asks_given_up_urls_again(crawled, site):
    missing = site.url("/news/missing.html")
    usual, again = Recorder(crawled["db"]), Recorder(crawled["db"], refetch=True)
    try:
        assert usual.is_given_up(missing) and not again.is_given_up(missing)
    finally:
        usual.close()
        again.close()
