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
from flows.demo_server import _Handler, serve_demo_site

EXPECTED = json.loads((resources.files("flows") / "demo_site" / "expected.json").read_text(encoding="utf-8"))
FUNDWATCH = [sys.executable, "-m", "flows.cli"]


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


def _untouched(path: Path, digest: str) -> bool:
    """Same bytes, and no write waiting in a WAL file (SQLite folds it into the file on close)."""
    wal = Path(f"{path}-wal")
    return _sha256(path) == digest and (not wal.exists() or wal.stat().st_size == 0)


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

    first = _start_run(db_path, sources, tmp)
    _wait_for(lambda: _scalar(db_path, "SELECT count(*) FROM articles") >= 3, first, 120, "3 stored articles")
    _kill(first)
    after_crawl_kill = _snapshot(db_path)

    gated_site.gate.set()
    second = _start_run(db_path, sources, tmp)
    _wait_for(lambda: _scalar(db_path, "SELECT count(*) FROM articles WHERE status IN ('processed', 'skipped')")
              >= 1, second, 180, "the first processed article")
    _kill(second)
    after_process_kill = _snapshot(db_path)

    third = subprocess.run(
        [*FUNDWATCH, "run", "--db", str(db_path), "--sources", str(sources), "--digest-dir", str(tmp / "digests")],
        cwd=tmp, env=_env(tmp), capture_output=True, text=True, timeout=300,
    )
    return {"db": db_path, "crawl_kill": after_crawl_kill, "process_kill": after_process_kill, "third": third}


@pytest.mark.slow
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


@pytest.mark.slow
def test_nothing_stored_before_a_kill_is_lost_or_changed(killed_twice):
    now = _snapshot(killed_twice["db"])
    for when in ("crawl_kill", "process_kill"):
        before = killed_twice[when]
        assert before["articles"] <= now["articles"], when
        assert before["done"] <= now["done"], when  # processed once, never redone
        assert before["mentions"] <= now["mentions"], when
        assert before["events"] <= now["events"], when
        assert before["organisations"] <= now["organisations"], when


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_killed_runs_are_left_visible(killed_twice):
    """A SIGKILLed process cannot write its own obituary: its `runs` row stays `running`, the last one completed."""
    statuses = [s for (s,) in _rows(killed_twice["db"], "SELECT status FROM runs ORDER BY id")]
    assert statuses[-1] in ("completed", "partial")
    assert len(statuses) == 3


# --- an unusable database file: read-only, corrupt, from a newer fundwatch -----------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _writing_commands(tmp: Path) -> dict[str, list[str]]:
    """Every command that opens the database for writing, aimed at nothing reachable should it get that far."""
    dead = f"http://127.0.0.1:{_closed_port()}"
    sources = tmp / "dead-sources.toml"
    sources.write_text(f'[[source]]\nname = "dead"\nkind = "feed"\nurl = "{dead}/feed.xml"\n', encoding="utf-8")
    return {
        "crawl": ["crawl", "--url", f"{dead}/a.html"],
        "process": ["process"],
        "reprocess": ["reprocess", "--all"],
        "run": ["run", "--sources", str(sources), "--digest-dir", str(tmp / "digests")],
        "demo": ["demo", "--digest-dir", str(tmp / "digests")],
        "schedule": ["schedule", "--sources", str(sources)],
        "ui": ["ui", "--port", str(_closed_port())],
    }


def _seeded_db(path: Path) -> Path:
    """A real fundwatch database with a few articles, closed cleanly (no -wal/-shm left)."""
    from db.articles import save_article

    db = open_db(path)
    for i in range(40):
        save_article(db, {"url": f"http://127.0.0.1:1/{i}", "title": f"Article {i}", "lang": "fr",
                          "text": f"Texte numéro {i}. " * 200, "html": f"<p>{i}</p>" * 500})
    db.conn.close()
    return path


def _newer(path: Path) -> Path:
    _seeded_db(path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('fundwatch', 'm999_from_the_future', '2030-01-01')")
    conn.close()
    return path


def _garbage(path: Path) -> Path:
    path.write_bytes(b"this is not a database\n" * 4000)
    return path


def _damaged(path: Path) -> Path:
    """A real SQLite header over pages scribbled on, as a bad disk or a partial copy leaves them."""
    _seeded_db(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), 3 * page):
        data[start:start + page] = b"\xde\xad\xbe\xef" * (page // 4)
    path.write_bytes(bytes(data))
    return path


def _truncated(path: Path) -> Path:
    _seeded_db(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


BAD_FILES = {"newer schema": _newer, "not a database": _garbage, "damaged pages": _damaged,
             "truncated": _truncated}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_database_file_is_a_clear_error_and_left_untouched(kind, tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    path = BAD_FILES[kind](tmp_path / "fw.db")
    digest = _sha256(path)
    for name, args in _writing_commands(tmp_path).items():
        result = CliRunner().invoke(app, [*args, "--db", str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 2, f"{kind} / {name}: {result.output}\n{result.exception!r}"
        assert "Error:" in result.output and str(path) in result.output.replace("\n", ""), (kind, name, result.output)
        assert "Traceback" not in result.output
        assert _untouched(path, digest), f"{kind} / {name} changed the file"


def test_damaged_data_pages_stop_process_with_a_clear_error_and_no_write(tmp_path):
    """Damage open_db cannot see (only some article pages scribbled on): the commands that read
    those pages stop with a clear error, exit code 2, and leave the file as it was."""
    from typer.testing import CliRunner

    from flows.cli import app

    path = _damaged_tail(tmp_path / "fw.db")
    digest = _sha256(path)
    for args in (["process"], ["reprocess", "--all"]):
        result = CliRunner().invoke(app, [*args, "--db", str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 2, f"{args}: {result.output}\n{result.exception!r}"
        assert "malformed" in result.output and "Traceback" not in result.output
        assert _untouched(path, digest), f"{args} changed the file"


@pytest.mark.parametrize("command", ["crawl", "run"])
def test_damaged_data_pages_are_not_written_by_crawl(tmp_path, command):
    """Damage past the schema pages: the quick_check that starts a run refuses the file before any write."""
    from typer.testing import CliRunner

    from flows.cli import app

    path = _damaged_tail(tmp_path / "fw.db")
    digest = _sha256(path)
    result = CliRunner().invoke(app, [*_writing_commands(tmp_path)[command], "--db", str(path)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "damaged" in result.output and "Traceback" not in result.output
    assert _untouched(path, digest)


def _damaged_tail(path: Path) -> Path:
    _seeded_db(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(len(data) - 5 * page, len(data), page):
        data[start:start + page] = b"\xde\xad\xbe\xef" * (page // 4)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.timeout(60)
def test_immutable_database_file_is_a_clear_error_and_left_untouched(tmp_path):
    """A file nobody may write. `chmod` alone does not stop root, so as root the file is made
    immutable (`chattr +i`), which stops root too; as another user `chmod 0444` is enough."""
    from typer.testing import CliRunner

    from flows.cli import app

    path = _seeded_db(tmp_path / "fw.db")
    digest = _sha256(path)
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
            pytest.skip("running as root on a filesystem without immutable files: no way to make the file read-only")
    else:
        path.chmod(0o444)
    try:
        with pytest.raises(OSError), open(path, "r+b"):  # the premise: this file really cannot be written
            pass
        for name, args in _writing_commands(tmp_path).items():
            result = CliRunner().invoke(app, [*args, "--db", str(path)], env={"COLUMNS": "200"})
            assert result.exit_code == 2, f"{name}: {result.output}\n{result.exception!r}"
            assert "read-only" in result.output and "Traceback" not in result.output, (name, result.output)
        # reading commands still work on it
        result = CliRunner().invoke(app, ["articles", "--db", str(path), "--limit", "3", "--format", "jsonl"])
        assert result.exit_code == 0, result.output
        assert len(result.output.splitlines()) == 3
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        path.chmod(0o644)
    assert _untouched(path, digest)


# --- the extractor on pathological text ---------------------------------------------------------


def _pathological() -> dict[str, str]:
    article = ("La start-up lyonnaise Quantelis lève 12 millions d'euros auprès de Partech pour son "
               "intelligence artificielle. ")
    return {
        "1 MB of article text": (article * (1_000_000 // len(article) + 1))[:1_000_000],
        "only digits": "0123456789" * 20_000,
        "digits in groups": " ".join(str(i) for i in range(30_000)),
        "only currency symbols": "€$£¥₩₹ " * 20_000,
        "amounts and nothing else": "12 millions d'euros 3,5 M€ $40m 1 000 000 € " * 3_000,
        "mixed scripts": ("Nebulia 融资 1500万欧元 Небулия привлекла €15 млн نبوليا جمعت ١٥ مليون يورو 🚀🤖 "
                          "인공지능 스타트업 ") * 2_000,
        "no sentences": " ".join(f"mot{i % 977} intelligence artificielle millions" for i in range(25_000)),
        "one endless word": "a" * 300_000,
        "control characters": ("\x00\x01\x02\u200b\ufeff\r\n\t" * 5_000) + "Nebulia lève 15 millions d'euros.",
        "nested brackets": "(" * 20_000 + "15 millions d'euros" + ")" * 20_000,
    }


@pytest.fixture(scope="module")
def pathological_results():
    from nlp.extract import analyse

    texts = _pathological()
    records = [{"id": name, "text": text, "lang": None, "title": None} for name, text in texts.items()]
    return texts, {a.id: a for a in analyse(records, batch_size=4)}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("name", sorted(_pathological()))
def test_extractor_survives_pathological_text(name, pathological_results):
    texts, results = pathological_results
    analysis = results[name]
    assert analysis.reason or analysis.skip_reason
    for m in analysis.mentions:  # whatever is kept points inside the text it came from
        assert 0 <= m.start <= m.end <= len(texts[name]) + 200
        assert m.amount is None or m.amount >= 0
    if len(texts[name]) > 100_000 and not analysis.skip_reason:
        assert "cut" in analysis.reason


# --- disk full / write error during a run --------------------------------------------------------

SITE = Path(str(resources.files("flows") / "demo_site"))


def _store_demo_articles(db, base_url: str = "https://demo.invalid") -> int:
    """The demo site's articles stored as the crawler stores them (body extracted from the page),
    under `base_url`, waiting for processing."""
    from crawlers.extract import extract_article
    from db.articles import save_article

    n = 0
    for rel in EXPECTED:
        raw = (SITE / rel).read_bytes()
        enc = EXPECTED[rel].get("encoding") or "utf-8"
        html = raw.decode(enc, errors="replace")
        url = f"{base_url}/{rel}"
        found = extract_article(html, url)
        save_article(db, {"url": url, "canonical_url": found.canonical_url or url, "title": found.title,
                          "text": found.text, "lang": found.lang or EXPECTED[rel]["lang"],
                          "published": found.published, "html": html})
        n += 1
    return n


def _state(db_path: Path) -> dict[str, set]:
    return {
        "done": set(_rows(db_path, "SELECT id, status, processed_at FROM articles WHERE status != 'new'")),
        "new": {i for (i,) in _rows(db_path, "SELECT id FROM articles WHERE status = 'new'")},
        "mentions": set(_rows(db_path, "SELECT id, event_id, article_id, amount, start FROM event_mentions")),
        "events": set(_rows(db_path, "SELECT id, amount, n_sources FROM events")),
    }


def _assert_consistent(db_path: Path) -> None:
    """integrity_check ok, and no half-written article: mentions only on processed articles, no event
    without a mention, the search index in step with the events."""
    assert _rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(db_path, "PRAGMA foreign_key_check") == []
    assert _rows(db_path, "SELECT m.id FROM event_mentions m JOIN articles a ON a.id = m.article_id "
                          "WHERE a.status = 'new'") == []
    assert _rows(db_path, "SELECT id FROM events WHERE id NOT IN (SELECT event_id FROM event_mentions)") == []
    assert _rows(db_path, "SELECT e.id FROM events e WHERE n_sources != "
                          "(SELECT count(DISTINCT article_id) FROM event_mentions m WHERE m.event_id = e.id)") == []
    assert _scalar(db_path, "SELECT count(*) FROM event_search") == _scalar(db_path, "SELECT count(*) FROM events")
    assert _rows(db_path, "SELECT id FROM articles WHERE status = 'new' AND processed_at IS NOT NULL") == []


@pytest.mark.timeout(300)
def test_database_full_mid_processing_keeps_every_article_all_or_nothing(tmp_path):
    """SQLite's own limit (`PRAGMA max_page_count`) makes a write fail half-way through `process`."""
    from flows.process import process_articles

    path = tmp_path / "fw.db"
    db = open_db(path)
    total = _store_demo_articles(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    # how many pages the whole backlog needs, measured on a copy: allow only half of them
    shutil.copy(path, tmp_path / "probe.db")
    probe = open_db(tmp_path / "probe.db")
    process_articles(probe)
    needed = probe.execute("PRAGMA page_count").fetchone()[0] - pages
    assert needed >= 2
    db.execute(f"PRAGMA max_page_count = {pages + needed // 2}")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        process_articles(db)
    _assert_consistent(path)
    before = _state(path)
    assert before["done"] and before["new"], "the failure should land mid-way"
    assert before["mentions"]

    db.execute("PRAGMA max_page_count = 1073741823")  # space again: the next run finishes the work
    report = process_articles(db)
    assert report["processed"] == len(before["new"])
    after = _state(path)
    _assert_consistent(path)
    assert not after["new"] and len(after["done"]) == total
    assert before["done"] <= after["done"] and before["mentions"] <= after["mentions"]
    mentions = _rows(path, "SELECT article_id, start, amount FROM event_mentions")
    assert len(mentions) == len(set(mentions))


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_write_error_during_fundwatch_run_fails_cleanly(tmp_path, prefect_harness):
    """The kernel refuses to grow files past a size (RLIMIT_FSIZE, as a full disk would): `fundwatch run`
    exits with a one-line error, its `runs` row says failed, and the database stays consistent."""
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.process import process_articles

    with serve_demo_site() as site:
        path = tmp_path / "fw.db"
        db = open_db(path)
        total = _store_demo_articles(db, site.base_url)  # already crawled: the run goes straight to processing
        db.conn.close()
        sources = tmp_path / "sources.toml"
        sources.write_text(_sources_toml(site.base_url), encoding="utf-8")
        limit = 160 * 1024  # the WAL may grow this far: a few articles' worth
        old_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
        old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, old_limit[1]))
        try:
            result = CliRunner().invoke(app, ["run", "--db", str(path), "--sources", str(sources),
                                              "--digest-dir", str(tmp_path / "digests")], env={"COLUMNS": "200"})
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old_limit)
            signal.signal(signal.SIGXFSZ, old_handler)
    assert result.exit_code == 2, f"{result.output}\n{result.exception!r}"
    # Prefect logs the failed task (with its traceback) as it happens; the command ends on one clear line
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error:") and "disk I/O error" in last and str(path) in last, result.output[-2000:]
    (status, error), = _rows(path, "SELECT status, error FROM runs")
    assert status == "failed" and "disk I/O error" in error
    _assert_consistent(path)
    before = _state(path)
    assert before["new"], "the failure should land before the end"

    report = process_articles(open_db(path))  # the next run, with room again, finishes the work
    assert report["processed"] == len(before["new"])
    after = _state(path)
    _assert_consistent(path)
    assert len(after["done"]) == total and before["done"] <= after["done"]
    assert before["mentions"] <= after["mentions"]
