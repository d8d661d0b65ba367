"""The daily Prefect flow: crawl every source (a task each), process new articles, write the digest."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.tasks import exponential_backoff

from crawlers.runner import run_crawl
from crawlers.sources import Source, group_by_site, load_sources
from db.runs import finish_run, mark_interrupted, start_run
from db.store import open_db
from flows.runlock import run_lock


def _retry_only_transient(task, task_run, state) -> bool:
    """Retry crawls that failed for network reasons, never bad input (a broken sources entry)."""
    try:
        state.result()
    except (ValueError, TypeError, FileNotFoundError):
        return False
    except Exception:
        return True
    return False


@task(retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=10), retry_jitter_factor=0.5,
      retry_condition_fn=_retry_only_transient, task_run_name="crawl-{site}")
def crawl_site(db_path: str, site: str, sources: list[Source], run_id: int, refetch: bool = False) -> dict[str, Any]:
    """One site's sources in one Scrapy subprocess: sites crawl in parallel, a site's sources in turn (polite),
    and a failing outlet cannot take the others down."""
    return run_crawl(db_path, sources=sources, refetch=refetch, run_id=run_id)


@task(retries=1, retry_delay_seconds=5)
def process_new(db_path: str, run_id: int, batch_size: int = 32, parallel: bool = False) -> dict[str, Any]:
    """Extraction + event merge over articles not processed yet (idempotent, so a retry is safe).

    With `parallel`, batches are analysed on a task runner (Dask when installed, see flows/parallel.py)."""
    from flows.process import process_articles

    analyse = None
    if parallel:
        from flows.parallel import analyse_in_parallel

        analyse = analyse_in_parallel
    return process_articles(open_db(db_path), batch_size=batch_size, run_id=run_id, analyse=analyse)


@task
def write_digest(db_path: str, digest_dir: str, since: str, run_id: int) -> str:
    """The digest of the events first seen in this run, as standalone HTML."""
    from flows.digest import render_digest, write_digest_file

    html = render_digest(open_db(db_path, readonly=True), new_since=since, fmt="html")
    return str(write_digest_file(html, Path(digest_dir) / f"digest-{since[:10]}-run{run_id}.html"))


def _warm_models() -> None:
    """Load the spaCy pipelines while the crawl subprocesses run (the flow only waits for them then),
    so processing starts at once; a failure here is left for process_new to report."""
    try:
        from nlp.models import preload

        preload()
    except Exception:  # noqa: BLE001  (process_new loads again and raises the clear error)
        pass


@flow(name="daily", log_prints=True)
def daily(db_path: str = "fundwatch.db", sources_file: str | None = None, digest_dir: str = "digests",
          refetch: bool = False, sources: list[Source] | None = None, parallel: bool = False) -> dict[str, Any]:
    """Crawl → process → digest, with one row in `runs` holding the per-source report."""
    logger = get_run_logger()
    with run_lock(db_path):
        db = open_db(db_path)
        mark_interrupted(db)
        run_id = start_run(db, "daily")
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        report: dict[str, Any] = {"run_id": run_id, "sources": {}}
        try:
            sources = sources if sources is not None else load_sources(sources_file)
            if not parallel:  # parallel extraction loads the models in its own workers
                threading.Thread(target=_warm_models, name="fundwatch-warm-models", daemon=True).start()
            futures = {site: (group, crawl_site.submit(db_path, site, group, run_id, refetch))
                       for site, group in group_by_site(sources).items()}
            for site, (group, future) in futures.items():
                future.wait()
                if future.state.is_completed():
                    per_source = future.result().get("per_source") or {}
                    for s in group:
                        counts = per_source.get(s.name, {})
                        report["sources"][s.name] = {**counts, "status": _source_status(counts)}
                else:
                    error = str(future.state.message or "failed")
                    logger.warning("site %s failed: %s", site, error)
                    for s in group:
                        report["sources"][s.name] = {"status": "failed", "error": error}
            report["process"] = process_new(db_path, run_id, parallel=parallel)
            report["digest"] = write_digest(db_path, digest_dir, started, run_id)
            totals = _totals(report)
            status = "completed" if all(s["status"] == "ok" for s in report["sources"].values()) else "partial"
            for name, rep in report["sources"].items():
                if rep["status"] == "unreachable":
                    logger.warning("source %s gave nothing but errors: %s", name, rep.get("skipped"))
            finish_run(db, run_id, status=status, report={**report, **totals})
            report.update(totals, status=status)
            (logger.info if status == "completed" else logger.warning)("run %s %s: %s", run_id, status,
                                                                      _summary(report))
            return report
        except BaseException as exc:
            finish_run(db, run_id, status="failed", report=report, error=f"{type(exc).__name__}: {exc}")
            raise


def _summary(report: dict[str, Any]) -> str:
    """The report as one log line, so scheduled runs show it in Prefect's logs and UI too."""
    parts = [", ".join(f"{k} {report[k]}" for k in ("fetched", "stored", "skipped", "processed", "events_new"))]
    for name, rep in report["sources"].items():
        if rep["status"] != "ok":
            parts.append(f"{name} failed: {rep.get('error')}")
            continue
        skipped = rep.get("skipped") or {}
        reasons = " (" + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())) + ")" if skipped else ""
        parts.append(f"{name}: fetched {rep.get('fetched', 0)}, stored {rep.get('stored', 0)}, "
                     f"skipped {sum(skipped.values())}{reasons}")
    return "; ".join(parts)


def _source_status(counts: dict[str, Any]) -> str:
    """`unreachable` when a source gave only errors (its feed is down or moved), so the run says `partial`
    instead of hiding an outlet that has been silent for weeks."""
    # URLs given up on (404s, other languages, repeated failures) were skips in an earlier run
    skipped = sum((counts.get("skipped") or {}).values()) + counts.get("given_up", 0)
    useful = sum(counts.get(k, 0) for k in ("stored", "updated", "unchanged", "alias", "seen"))
    return "unreachable" if skipped and not useful else "ok"


def _totals(report: dict[str, Any]) -> dict[str, int]:
    srcs = [s for s in report["sources"].values() if s["status"] != "failed"]
    proc = report.get("process") or {}
    return {
        "fetched": sum(s.get("fetched", 0) for s in srcs),
        "stored": sum(s.get("stored", 0) for s in srcs),
        "skipped": sum(sum((s.get("skipped") or {}).values()) for s in srcs),
        "processed": proc.get("processed", 0),
        "mentions": proc.get("mentions", 0),
        "events_new": proc.get("events_new", 0),
    }
