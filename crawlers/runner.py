"""Run a crawl from any long-lived Python process (CLI, Prefect, tests): one subprocess per crawl.

Scrapy's Twisted reactor cannot be restarted inside a process, so each call starts
`python -m crawlers` with a JSON job and reads back a JSON report.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from crawlers.sources import Source, load_sources

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CrawlError(RuntimeError):
    """The crawl process failed; the message carries the end of its log."""


def _job_sources(urls: Sequence[str] | None, sources_file: str | None,
                 sources: Sequence[Source] | None) -> list[Source]:
    if sources is not None:
        return list(sources)
    if sources_file is not None:
        return load_sources(sources_file)
    if urls:
        return []  # ad-hoc URLs only
    return load_sources(None)


def run_crawl(
    db_path: str,
    *,
    urls: list[str] | None = None,
    sources_file: str | None = None,
    sources: Sequence[Source] | None = None,
    refetch: bool = False,
    run_id: int | None = None,
    settings: dict[str, Any] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    timeout: float | None = None,
    log_path: str | None = None,
) -> dict[str, Any]:
    """Crawl `urls` (any kind, detected), and/or `sources` / `sources_file` (default: the shipped outlets
    when neither URLs nor sources are given) into the database at `db_path`.

    Returns {fetched, stored, updated, unchanged, alias, seen, skipped: {reason: n}, per_source: {...}}.
    `progress` gets one dict per stored/skipped URL as it happens. Raises CrawlError if the crawl
    process fails, ValueError/FileNotFoundError for a bad sources file (before starting anything).
    `log_path` keeps Scrapy's log (otherwise only its tail is shown, on failure); `timeout` (seconds)
    stops a crawl that runs longer.
    """
    for url in urls or []:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {url!r}")
    job = {
        "db": str(Path(db_path).resolve()),  # the subprocess runs in a temporary folder
        "sources": [s.to_dict() for s in _job_sources(urls, sources_file, sources)],
        "urls": list(urls or []),
        "refetch": refetch,
        "run_id": run_id,
        "settings": settings or {},
        "progress": progress is not None,
    }
    with tempfile.TemporaryDirectory(prefix="fundwatch-crawl-") as tmp:
        job_path, report_path = Path(tmp) / "job.json", Path(tmp) / "report.json"
        log_file = Path(log_path) if log_path else Path(tmp) / "crawl.log"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        cmd = [sys.executable, "-m", "crawlers", "--job", str(job_path), "--report", str(report_path)]
        with open(log_file, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=env,
                                    cwd=tmp, encoding="utf-8")
            timed_out = threading.Event()

            def stop() -> None:
                timed_out.set()
                proc.kill()

            timer = threading.Timer(timeout, stop) if timeout else None
            if timer is not None:
                timer.daemon = True
                timer.start()
            try:
                assert proc.stdout is not None
                for line in proc.stdout:
                    if progress is not None and line.startswith("{"):
                        with contextlib.suppress(json.JSONDecodeError):
                            progress(json.loads(line))
                rc = proc.wait()
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            finally:
                if timer is not None:
                    timer.cancel()
        if timed_out.is_set():
            raise CrawlError(f"crawl did not finish within {timeout} s and was stopped")
        if rc != 0 or not report_path.exists():
            tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise CrawlError(f"crawl process exited with status {rc}:\n{tail}")
        return json.loads(report_path.read_text(encoding="utf-8"))
