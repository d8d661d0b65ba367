"""Faults: a killed run, an unusable database file, a full disk, pathological text.

Each test breaks something for real (SIGKILL on a `fundwatch run` process group, an immutable or
corrupt file, a write limit the kernel or SQLite enforces, megabyte-long junk) and then checks what
the guide promises: a clear error, a non-zero exit code, and nothing stored lost, duplicated or
half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from db.store import open_db
from flows.demo_server import DemoServer, _Handler, serve_demo_site

EXPECTED = json.loads((resources.files("flows") / "demo_site" / "expected.json").read_text(encoding="utf-8"))
FUNDWATCH = [sys.executable, "-m", "flows.cli"]
DONE = ("processed", "skipped")


# --- helpers -------------------------------------------------------------------------------------


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """A subprocess environment: no telemetry, Prefect's home in `tmp`, the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "DO_NOT_TRACK": "1", "PREFECT_HOME": str(tmp / "prefect-home"), "COLUMNS": "200"}
    env.pop("FUNDWATCH_DB", None)
    if PREFECT_API_URL.value():  # inside prefect_harness: no ephemeral server per subprocess
        env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    env.update(extra)
    return env


def _scalar(db_path: Path, sql: str) -> int:
    """A count read through a separate read-only connection, as an observer; 0 while the schema is missing."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _wait_for(predicate, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"fundwatch exited ({proc.returncode}) before {what}:\n{out[-2000:]}\n{err[-3000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sources_toml(base_url: str) -> str:
    return f"""[[source]]
name = "demo-feed"
kind = "feed"
url = "{base_url}/feed.xml"
delay = 0

[[source]]
name = "demo-sitemap"
kind = "sitemap"
url = "{base_url}/sitemap.xml"
max_age_days = 36500
delay = 0
"""


# --- SIGKILL in the middle of `fundwatch run` ----------------------------------------------------


class _GatedHandler(_Handler):
    """The demo site, except that article pages past the first `server.open_articles` hang until
    the test opens the gate: the crawl is then reliably caught half-way."""

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path.endswith(".html") and not path.endswith("/index.html") and path != "/":
            with self.server.lock:
                self.server.served += 1
                blocked = self.server.served > self.server.open_articles
            if blocked:
                self.server.gate.wait(timeout=60)
        super().do_GET()


@pytest.fixture(scope="module")
def gated_site():
    with serve_demo_site() as server:
        server.RequestHandlerClass = _GatedHandler
        server.lock = threading.Lock()
        server.served = 0
        server.open_articles = 6
        server.gate = threading.Event()
        yield server
        server.gate.set()


def _start_run(db_path: Path, sources: Path, tmp: Path) -> subprocess.Popen:
    """`fundwatch run` in its own process group, so SIGKILL takes its crawl subprocess down with it."""
    return subprocess.Popen(
        [*FUNDWATCH, "run", "--db", str(db_path), "--sources", str(sources), "--digest-dir", str(tmp / "digests")],
        cwd=tmp, env=_env(tmp), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _snapshot(db_path: Path) -> dict[str, set]:
    return {
        "articles": set(_rows(db_path, "SELECT id, canonical_url, content_hash, text FROM articles")),
        "done": set(_rows(db_path, "SELECT id, status, processed_at FROM articles WHERE status != 'new'")),
        "mentions": set(_rows(db_path, "SELECT id, event_id, article_id, amount, currency, start, created_at "
                                       "FROM event_mentions")),
        "events": {r[0] for r in _rows(db_path, "SELECT id FROM events")},
        "organisations": set(_rows(db_path, "SELECT id, norm FROM organisations")),
    }


@pytest.fixture(scope="module")
def killed_twice(gated_site, tmp_path_factory, prefect_harness):
    """Run 1 is killed mid-crawl, run 2 right after processing began, run 3 is left to finish."""
    tmp = tmp_path_factory.mktemp("sigkill")
    db_path = tmp / "fw.db"
    sources = tmp / "sources.toml"
    sources.write_text(_sources_toml(gated_site.base_url), encoding="utf-8")

    t0 = time.monotonic()
    first = _start_run(db_path, sources, tmp)
    _wait_for(lambda: _scalar(db_path, "SELECT count(*) FROM articles") >= 3, first, 120, "3 stored articles")
    print("first kill", time.monotonic() - t0)
    _kill(first)
    after_crawl_kill = _snapshot(db_path)

    gated_site.gate.set()
    second = _start_run(db_path, sources, tmp)
    _wait_for(lambda: _scalar(db_path, "SELECT count(*) FROM articles WHERE status IN ('processed', 'skipped')")
              >= 1, second, 180, "the first processed article")
    print("second kill", time.monotonic() - t0)
    _kill(second)
    after_process_kill = _snapshot(db_path)

    third = subprocess.run(
        [*FUNDWATCH, "run", "--db", str(db_path), "--sources", str(sources), "--digest-dir", str(tmp / "digests")],
        cwd=tmp, env=_env(tmp), capture_output=True, text=True, timeout=300,
    )
    print("third", time.monotonic() - t0)
    return {"db": db_path, "crawl_kill": after_crawl_kill, "process_kill": after_process_kill, "third": third}


def test_killed_mid_crawl_then_mid_processing_the_next_run_completes(killed_twice):
    third = killed_twice["third"]
    assert third.returncode == 0, third.stderr[-3000:]
    db = killed_twice["db"]
    crawl_kill = killed_twice["crawl_kill"]
    # the first kill really landed mid-crawl, before any processing
    assert 3 <= len(crawl_kill["articles"]) < len(EXPECTED)
    assert not crawl_kill["done"] and not crawl_kill["mentions"]
    assert _scalar(db, "SELECT count(*) FROM articles") == len(EXPECTED)
    assert _scalar(db, "SELECT count(*) FROM articles WHERE status = 'new'") == 0
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_nothing_stored_before_a_kill_is_lost_or_changed(killed_twice):
    now = _snapshot(killed_twice["db"])
    for when in ("crawl_kill", "process_kill"):
        before = killed_twice[when]
        assert before["articles"] <= now["articles"], when
        assert before["done"] <= now["done"], when  # processed once, never redone
        assert before["mentions"] <= now["mentions"], when
        assert before["events"] <= now["events"], when
        assert before["organisations"] <= now["organisations"], when


def test_no_duplicate_article_mention_or_event_after_the_kills(killed_twice):
    db = killed_twice["db"]
    hashes = [h for (h,) in _rows(db, "SELECT content_hash FROM articles")]
    assert len(hashes) == len(set(hashes))
    mentions = _rows(db, "SELECT article_id, start, amount FROM event_mentions")
    assert mentions and len(mentions) == len(set(mentions))
    # an event without a mention is what a half-done merge would leave behind
    assert _rows(db, "SELECT id FROM events WHERE id NOT IN (SELECT event_id FROM event_mentions)") == []
    assert _rows(db, "SELECT e.id FROM events e WHERE n_sources != "
                     "(SELECT count(DISTINCT article_id) FROM event_mentions m WHERE m.event_id = e.id)") == []
    assert _rows(db, "SELECT event_id FROM event_search GROUP BY event_id HAVING count(*) > 1") == []
    assert _scalar(db, "SELECT count(*) FROM event_search") == _scalar(db, "SELECT count(*) FROM events")


def test_each_article_has_the_mentions_a_clean_extraction_gives(killed_twice):
    """Per article, the amounts found do not depend on the kills: re-analysing the stored texts in
    this process gives the same (amount, currency) list as what the interrupted runs stored."""
    from nlp.extract import analyse

    db = killed_twice["db"]
    articles = [{"id": i, "text": t, "title": ti, "lang": la, "published": p}
                for i, t, ti, la, p in _rows(db, "SELECT id, text, title, lang, published FROM articles")]
    stored: dict[str, Counter] = {}
    for article_id, amount, currency in _rows(db, "SELECT article_id, amount, currency FROM event_mentions"):
        stored.setdefault(str(article_id), Counter())[(amount, currency)] += 1
    fresh = {a.id: Counter((m.amount, m.currency) for m in a.mentions) for a in analyse(articles) if a.mentions}
    assert stored == fresh


def test_killed_runs_are_left_visible(killed_twice):
    """A SIGKILLed process cannot write its own obituary: its `runs` row stays `running`, the last one completed."""
    statuses = [s for (s,) in _rows(killed_twice["db"], "SELECT status FROM runs ORDER BY id")]
    assert statuses[-1] in ("completed", "partial")
    assert len(statuses) == 3
