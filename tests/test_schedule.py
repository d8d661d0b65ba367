"""`fundwatch schedule` for real: it starts a local Prefect server, serves `daily/daily` with the cron, runs
it on demand against a tiny loopback site, and takes the server down with it on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db.store import open_db
from flows.demo_server import serve_demo_site
from flows.schedule import is_healthy

pytestmark = [pytest.mark.slow]

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Tiny test outlet</title><link>{{BASE}}/</link><description>One article.</description>
  <item>
    <title>Lumeno raises 4 million euros to train small language models for hospitals</title>
    <link>{{BASE}}/news/lumeno-raises-4-million.html</link>
    <pubDate>Mon, 16 Nov 2026 08:00:00 +0000</pubDate>
  </item>
</channel></rss>
"""

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Lumeno raises 4 million euros to train small language models for hospitals</title>
<meta property="article:published_time" content="2026-11-16T08:00:00+00:00">
</head><body><article>
<h1>Lumeno raises 4 million euros to train small language models for hospitals</h1>
<p>Lumeno, a Lyon-based artificial intelligence startup, has raised 4 million euros in a seed round led by
Rhône Ventures, the company said on Monday. The funding will pay for the training of compact language
models that run inside hospital networks, so that patient records never leave the building.</p>
<p>The startup, founded in 2024 by two former radiologists, employs twelve people and plans to hire
twenty engineers over the next eighteen months. Its first customers are three university hospitals in
the Auvergne-Rhône-Alpes region, where its assistant drafts discharge summaries for doctors to check.</p>
<p>"Hospitals want AI they can audit," said the chief executive. Existing shareholders also took part in
the round, which values the company at an undisclosed amount.</p>
</article></body></html>
"""


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-site")
    (root / "news").mkdir()
    (root / "feed.xml").write_text(FEED, encoding="utf-8")
    (root / "news" / "lumeno-raises-4-million.html").write_text(ARTICLE, encoding="utf-8")
    with serve_demo_site(root) as server:
        yield server


def _wait_for(pattern: str, log: Path, proc: subprocess.Popen, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_text(encoding="utf-8", errors="replace")
        if match := re.search(pattern, text):
            return match
        assert proc.poll() is None, f"`fundwatch schedule` exited ({proc.returncode}):\n{text}"
        assert time.monotonic() < deadline, f"no {pattern!r} after {timeout} s:\n{text}"
        time.sleep(0.3)


def _run_to_end(client, deployment_id, parameters: dict, proc: subprocess.Popen, log: Path, timeout: float = 300):
    """Start a run of the deployment; the served process must carry it to Completed."""
    flow_run = client.create_flow_run_from_deployment(deployment_id, parameters=parameters)
    deadline = time.monotonic() + timeout
    while not (flow_run := client.read_flow_run(flow_run.id)).state.is_final():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"run still {flow_run.state.type}:\n{log.read_text()}"
        time.sleep(1)
    assert flow_run.state.is_completed(), f"{flow_run.state}\n{log.read_text()}"
    return flow_run


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_schedule_serves_the_daily_deployment_and_stops_its_server(tiny_site, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    db_path = tmp_path / "fw.db"
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "tiny"\nkind = "feed"\nurl = "{tiny_site.base_url}/feed.xml"\n',
                       encoding="utf-8")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "DO_NOT_TRACK": "1",
           "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "schedule.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "schedule", "--db", str(db_path), "--sources", str(sources)],
            env=env, cwd=tmp_path, stdout=fh, stderr=subprocess.STDOUT)
    server_pid = None
    try:
        started = _wait_for(r"Prefect server started \(pid (\d+)\): API (http://127\.0\.0\.1:\d+/api)",
                            log, proc, timeout=240)
        server_pid, api_url = int(started.group(1)), started.group(2)
        assert Path(tmp_path / "prefect" / "server" / "prefect.db").exists()  # apart from fundwatch's db

        with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
            deadline = time.monotonic() + 120
            while True:  # serve() registers the deployments a moment after the server is up
                try:
                    deployment = client.read_deployment_by_name("daily/daily")
                    weekly = client.read_deployment_by_name("weekly-digest/weekly-digest")
                    break
                except Exception:
                    assert proc.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.5)
            [daily_schedule] = deployment.schedules
            assert daily_schedule.schedule.cron == "0 6 * * *"
            assert daily_schedule.schedule.timezone == "Europe/Paris"
            assert daily_schedule.active
            assert deployment.parameters["db_path"] == str(db_path.resolve())
            assert deployment.parameters["sources_file"] == str(sources.resolve())
            assert weekly.schedules[0].schedule.cron == "0 7 * * 1"

            digests = tmp_path / "run-digests"
            flow_run = _run_to_end(client, deployment.id, {"digest_dir": str(digests)}, proc, log)
            assert flow_run.parameters["sources_file"] == str(sources.resolve())
            _run_to_end(client, weekly.id, {"digest_dir": str(digests)}, proc, log)

        # the run did fundwatch's work on the scheduled database
        rows = list(open_db(db_path, readonly=True).query("SELECT * FROM runs"))
        assert len(rows) == 1 and rows[0]["kind"] == "daily" and rows[0]["status"] == "completed", rows
        assert rows[0]["fetched"] >= 1
        assert list(digests.glob("digest-*.html"))
        [weekly_file] = digests.glob("weekly-*.html")
        assert "<html" in weekly_file.read_text(encoding="utf-8").lower()

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=90) == 0, log.read_text()
        assert "Prefect server stopped" in log.read_text()
        assert not _alive(server_pid)
        assert not is_healthy(api_url, timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if server_pid and _alive(server_pid):
            os.killpg(server_pid, signal.SIGKILL)
