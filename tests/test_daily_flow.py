"""The `daily` Prefect flow over the loopback demo site: re-runs add nothing, a broken source stays a
per-source failure, every run leaves one `runs` row, and two runs at once never both touch the database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect.settings import get_current_settings

from crawlers.sources import Source
from db.store import open_db
from flows.daily import daily
from flows.demo import demo_sources
from flows.demo_server import demo_sources_toml
from flows.runlock import RunLocked

pytestmark = pytest.mark.usefixtures("prefect_harness")

TABLES = ("articles", "article_aliases", "events", "event_mentions", "organisations", "event_organisations")


def _counts(db_path: Path) -> dict[str, int]:
    db = open_db(db_path, readonly=True)
    return {t: db[t].count for t in TABLES}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def _broken(rep: dict) -> bool:
    """Failed outright, or fetched nothing usable and recorded why."""
    skipped = rep.get("skipped") or {}
    skipped_total = sum(skipped.values()) if isinstance(skipped, dict) else skipped
    return rep["status"] in {"failed", "unreachable"} and skipped_total + (rep["status"] == "failed") > 0


@pytest.fixture(scope="module")
def two_runs(demo_site, tmp_path_factory):
    folder = tmp_path_factory.mktemp("daily")
    db_path = folder / "fw.db"
    base = demo_site.base_url
    sources = demo_sources(base) + [
        Source(name="missing-feed", kind="feed", url=f"{base}/no-such-feed.xml"),
        Source(name="closed-port", kind="feed", url=f"http://127.0.0.1:{_closed_port()}/feed.xml"),
    ]
    kwargs = {"db_path": str(db_path), "sources": sources, "digest_dir": str(folder / "digests")}
    first = daily(**kwargs)
    after_first = _counts(db_path)
    second = daily(**kwargs)
    return {"db": db_path, "first": first, "second": second, "after_first": after_first, "folder": folder}


def test_second_run_stores_nothing_new(two_runs):
    first, second = two_runs["first"], two_runs["second"]
    assert first["stored"] > 0 and first["events_new"] > 0
    assert _counts(two_runs["db"]) == two_runs["after_first"]
    assert second["stored"] == 0 and second["events_new"] == 0 and second["processed"] == 0
    assert two_runs["after_first"]["articles"] == first["stored"]


def test_broken_sources_are_reported_and_the_others_succeed(two_runs):
    for report in (two_runs["first"], two_runs["second"]):
        srcs = report["sources"]
        assert set(srcs) == {"demo-feed", "demo-sitemap", "missing-feed", "closed-port"}
        assert _broken(srcs["missing-feed"]), srcs["missing-feed"]
        assert _broken(srcs["closed-port"]), srcs["closed-port"]
        for name in ("demo-feed", "demo-sitemap"):
            assert srcs[name]["status"] == "ok", srcs[name]
    first = two_runs["first"]["sources"]
    assert first["demo-feed"]["fetched"] > 0 and first["demo-sitemap"]["fetched"] > 0
    assert first["demo-feed"]["stored"] + first["demo-sitemap"]["stored"] == two_runs["first"]["stored"]
    assert Path(two_runs["first"]["digest"]).is_file()


def test_runs_table_holds_one_row_per_run_with_its_counts(two_runs):
    rows = list(open_db(two_runs["db"], readonly=True).query("SELECT * FROM runs ORDER BY id"))
    assert [r["kind"] for r in rows] == ["daily", "daily"]
    for row, report in zip(rows, (two_runs["first"], two_runs["second"]), strict=True):
        assert row["id"] == report["run_id"]
        assert row["finished_at"] and row["status"] == report["status"]
        for col in ("fetched", "stored", "skipped", "processed", "mentions", "events_new"):
            assert row[col] == report[col], col
        stored_report = json.loads(row["report"])
        assert set(stored_report["sources"]) == set(report["sources"])
    # a broken source makes the run partial, never "completed" as if all went well
    assert [r["status"] for r in rows] == ["partial", "partial"]


def test_two_runs_at_once_never_both_write(demo_site, tmp_path):
    """A `fundwatch run` process holds the database; a run started meanwhile exits with RunLocked."""
    db_path = tmp_path / "fw.db"
    sources_file = tmp_path / "sources.toml"
    sources_file.write_text(demo_sources_toml(demo_site.base_url), encoding="utf-8")
    # The other process reports to this session's Prefect server: no second server to start.
    env = {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url), "DO_NOT_TRACK": "1",
           "COLUMNS": "200"}
    log = tmp_path / "run.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "run", "--db", str(db_path), "--sources", str(sources_file),
             "--digest-dir", str(tmp_path / "digests")],
            env=env, cwd=tmp_path, stdout=fh, stderr=subprocess.STDOUT)
    try:
        lock = Path(f"{db_path}.lock")
        deadline = time.monotonic() + 240
        while not (lock.exists() and lock.read_text().strip() == f"pid {proc.pid}"):
            assert proc.poll() is None, f"`fundwatch run` ended before taking the lock:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"`fundwatch run` never took the lock:\n{log.read_text()}"
            time.sleep(0.1)
        with pytest.raises(RunLocked, match=f"pid {proc.pid}"):
            daily(db_path=str(db_path), sources=demo_sources(demo_site.base_url),
                  digest_dir=str(tmp_path / "digests-2"))
        assert proc.wait(timeout=300) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    db = open_db(db_path, readonly=True)
    rows = list(db.query("SELECT * FROM runs"))
    assert len(rows) == 1 and rows[0]["status"] == "completed", rows
    assert rows[0]["stored"] == db["articles"].count > 0
    canon = [r["canonical_url"] for r in db.query("SELECT canonical_url FROM articles")]
    assert len(canon) == len(set(canon))
    assert not (tmp_path / "digests-2").exists()


def _stored_articles(db_path: Path) -> list:
    from nlp.types import ArticleIn

    db = open_db(db_path, readonly=True)
    return [ArticleIn(id=str(r["id"]), text=r["text"] or "", lang=r["lang"], title=r["title"], url=r["url"])
            for r in db.query("SELECT id, text, lang, title, url FROM articles ORDER BY id")]


@pytest.mark.parametrize("runner_kind", ["threads", "dask"])
def test_parallel_extraction_gives_the_sequential_results_in_order(two_runs, runner_kind):
    from prefect import flow
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.parallel import analyse_in_parallel, make_task_runner
    from nlp.extract import analyse

    if runner_kind == "dask":
        pytest.importorskip("prefect_dask", reason="the optional `scale` extra is not installed")
        assert type(make_task_runner()).__name__ == "DaskTaskRunner"
    records = _stored_articles(two_runs["db"])
    assert len(records) > 8  # several batches of 4, more than the window holds
    expected = list(analyse(records, batch_size=4))

    @flow
    def extract_in_batches() -> list:
        # made inside the flow: Dask pickles the flow run context, and a running runner cannot be pickled
        runner = make_task_runner(workers=2) if runner_kind == "dask" else ThreadPoolTaskRunner(max_workers=2)
        return list(analyse_in_parallel(records, batch_size=4, runner=runner, window=2))

    got = extract_in_batches()
    assert [a.id for a in got] == [r.id for r in records]
    assert got == expected
    assert sum(len(a.mentions) for a in got) > 0


def test_a_source_whose_links_were_all_given_up_stays_unreachable():
    """Given-up URLs (404s, other languages) are not fetched again, so they count as that source's skips:
    an outlet whose every link is dead keeps the run `partial` instead of turning silently `ok`."""
    from flows.daily import _source_status

    assert _source_status({"fetched": 0, "skipped": {}, "given_up": 4}) == "unreachable"
    assert _source_status({"fetched": 1, "skipped": {}, "given_up": 4, "seen": 2}) == "ok"
    assert _source_status({"fetched": 0, "skipped": {}, "given_up": 0}) == "ok"
