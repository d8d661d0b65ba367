"""The newsletter digest: figures, groups, every source linked, escaping, and the HTML in a real browser."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import struct
import subprocess
from datetime import date
from pathlib import Path

import pytest
from event_samples import ARTICLES, EVENTS, HOSTILE_TITLE, build_sample_db

from db.digest import period_bounds
from db.search import SearchError
from db.store import open_db
from flows.digest import money, render_digest

SINCE, UNTIL = "2026-11-01", "2026-11-30"
IN_PERIOD = [e for e in EVENTS if SINCE <= e[12] <= UNTIL]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("digest") / "samples.db"
    build_sample_db(path)
    return open_db(path, readonly=True)


def _render(db, fmt, **kw):
    return render_digest(db, since=SINCE, until=UNTIL, fmt=fmt, **kw)


def test_json_headline_figures_and_groups(db):
    data = json.loads(_render(db, "json"))
    assert data["period"]["since"] == SINCE and data["period"]["until"] == UNTIL
    head = data["headline"]
    assert head["events"] == len(IN_PERIOD)
    assert head["total_eur"] == pytest.approx(sum(e[5] for e in IN_PERIOD))
    assert head["largest"]["recipient"] == max(IN_PERIOD, key=lambda e: e[5])[1]
    assert head["countries"] == len({e[7] for e in IN_PERIOD})
    assert sum(g["count"] for g in data["groups"]) == len(IN_PERIOD)
    totals = [g["total_eur"] for g in data["groups"]]
    assert totals == sorted(totals, reverse=True)
    for group in data["groups"]:
        assert {e["country_name"] for e in group["events"]} == {group["label"]}
    chart = {r["label"]: r["total_eur"] for r in data["chart"]["by_country"]}
    assert sum(chart.values()) == pytest.approx(head["total_eur"])


def test_group_by_kind(db):
    data = json.loads(render_digest(db, since=SINCE, until=UNTIL, fmt="json", group_by="kind"))
    labels = {g["label"] for g in data["groups"]}
    assert "Loans and debt" in labels and "Private rounds" in labels
    assert sum(g["count"] for g in data["groups"]) == len(IN_PERIOD)


def test_markdown_lists_every_event_with_both_amounts_and_all_sources(db):
    text = _render(db, "md")
    for (_eid, recipient, _, amount, currency, eur, *_rest) in IN_PERIOD:
        assert recipient.replace("_", r"\_") in text
        assert money(amount, currency) in text
        if currency != "EUR":
            assert f"≈ {money(eur, 'EUR')}" in text
    period_articles = {a for e in IN_PERIOD for a, _ in e[13]}
    for aid, url, *_ in ARTICLES:
        assert (f"]({url})" in text) == (aid in period_articles)
    assert "<script" not in text and "&lt;script&gt;" in text


def test_html_escapes_article_text_and_links_every_source(db):
    page = _render(db, "html")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in page
    period_urls = {url for aid, url, *_ in ARTICLES if any(aid == a for e in IN_PERIOD for a, _ in e[13])}
    assert set(re.findall(r'href="([^"]+)"', page)) == period_urls
    assert "<style" not in page and "class=" not in page  # email-safe: inline styles only
    assert page.count("<rect") == len({e[7] for e in IN_PERIOD})


def test_unsafe_urls_are_not_linked_and_csv_cells_cannot_run_formulas(tmp_path):
    db = build_sample_db(tmp_path / "evil.db")
    db["articles"].update(4, {"url": "javascript:alert(1)", "canonical_url": "javascript:alert(1)",
                              "title": "=HYPERLINK(\"http://evil\")"})
    db["events"].update("ev-quantix", {"recipient": "@SUM(1+1)"})
    page = render_digest(db, since=SINCE, until=UNTIL, fmt="html")
    assert 'href="javascript' not in page and "Quantix" in page
    assert "](javascript" not in render_digest(db, since=SINCE, until=UNTIL, fmt="md")
    rows = list(csv.DictReader(io.StringIO(render_digest(db, since=SINCE, until=UNTIL, fmt="csv"))))
    quantix = next(r for r in rows if "SUM" in r["recipient"])
    assert quantix["recipient"] == "'@SUM(1+1)"
    assert quantix["source_titles"].startswith("'=HYPERLINK")


def test_csv_has_one_row_per_event(db):
    rows = list(csv.DictReader(io.StringIO(_render(db, "csv"))))
    assert sorted(r["recipient"] for r in rows) == sorted(e[1] for e in IN_PERIOD)
    nabla = next(r for r in rows if r["recipient"] == "Nabla")
    assert (nabla["currency"], float(nabla["amount"]), float(nabla["amount_eur"])) == ("USD", 24e6, 22.3e6)


def test_period_defaults():
    assert period_bounds(until="2026-11-30", period="week") == (date(2026, 11, 24), date(2026, 11, 30))
    assert period_bounds(until="2026-03-31", period="month") == (date(2026, 3, 1), date(2026, 3, 31))
    assert period_bounds(until="2026-11-25", period="month") == (date(2026, 10, 26), date(2026, 11, 25))
    assert period_bounds(period="week", today=date(2026, 1, 3)) == (date(2025, 12, 28), date(2026, 1, 3))
    with pytest.raises(SearchError, match="after"):
        period_bounds(since="2026-12-01", until="2026-11-01")
    with pytest.raises(SearchError, match="YYYY-MM-DD"):
        period_bounds(since="yesterday")
    with pytest.raises(SearchError, match="period"):
        period_bounds(period="year")


def test_week_default_and_new_since(db):
    week = json.loads(render_digest(db, until="2026-11-18", period="week", fmt="json"))
    assert {e["id"] for e in week["events"]} == {e[0] for e in EVENTS if "2026-11-12" <= e[12] <= "2026-11-18"}
    new = json.loads(render_digest(db, new_since="2026-11-10T00:00:00Z", fmt="json"))
    assert {e["id"] for e in new["events"]} == {e[0] for e in EVENTS if e[12] >= "2026-11-10"}
    assert "new since 2026-11-10 00:00 UTC" in render_digest(db, new_since="2026-11-10T00:00:00Z", fmt="md")


def test_empty_period_says_so(db):
    assert "No funding events" in render_digest(db, since="2020-01-01", until="2020-01-31", fmt="html")
    assert "No funding events" in render_digest(db, since="2020-01-01", until="2020-01-31", fmt="md")


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def test_html_digest_renders_in_headless_chromium(db, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (`make chromium` installs it)")
    page = tmp_path / "digest.html"
    page.write_text(_render(db, "html"), encoding="utf-8")
    shot = tmp_path / "digest.png"
    profile = tmp_path / "profile"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--window-size=700,1800", "--hide-scrollbars"]
    dom = subprocess.run([*command, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    subprocess.run([*command, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120,
                   check=True)
    shutil.rmtree(profile, ignore_errors=True)
    # the browser parsed the page: chart and events are in the live DOM
    assert "<svg" in dom and dom.count("<rect") == len({e[7] for e in IN_PERIOD})
    for event in IN_PERIOD:
        assert event[1] in dom
    # the hostile title is a text node (re-serialised escaped), not a script element
    assert "<script" not in dom
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; more" in dom
    assert HOSTILE_TITLE.split("<")[0] in dom
    width, height = _png_size(shot)
    assert (width, height) == (700, 1800)
    assert shot.stat().st_size > 20_000, "the screenshot looks blank"
