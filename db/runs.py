"""One row per run with its counts, so operators can see what each day did."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from db.timeutil import now_iso

COUNT_COLUMNS = ("fetched", "stored", "skipped", "processed", "mentions", "events_new")


def start_run(db: Database, kind: str) -> int:
    return db["runs"].insert({"kind": kind, "started_at": now_iso(), "status": "running"}).last_pk


def finish_run(
    db: Database, run_id: int, *, status: str = "completed", report: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    report = report or {}
    row: dict[str, Any] = {"finished_at": now_iso(), "status": status, "error": error,
                           "report": json.dumps(report, ensure_ascii=False, default=str)}
    for col in COUNT_COLUMNS:
        if isinstance(report.get(col), int):
            row[col] = report[col]
    db["runs"].update(run_id, row)


def last_runs(db: Database, limit: int = 10) -> list[dict[str, Any]]:
    return list(db["runs"].rows_where(order_by="id desc", limit=limit))


def mark_interrupted(db: Database) -> int:
    """Close the rows of runs that died without finishing (killed, power cut); call it holding the run lock,
    when no other run can be alive."""
    cursor = db.execute(
        "UPDATE runs SET status = 'interrupted', finished_at = ?, error = coalesce(error, 'the process ended "
        "before the run finished') WHERE status = 'running'", [now_iso()])
    db.conn.commit()
    return cursor.rowcount
