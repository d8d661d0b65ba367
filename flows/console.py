"""Shared terminal output: one rich console, user-facing errors, progress bars and record writers."""

from __future__ import annotations

import csv
import functools
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console(stderr=True)
# SQLite result codes that mean the storage failed (full disk, I/O error, damaged file), not a bug.
_STORAGE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_READONLY",
                   "SQLITE_CANTOPEN")
out = Console()
if not out.is_terminal and "COLUMNS" not in os.environ:
    out.width = 160  # piped or logged output: wide enough for a table of events (rich assumes 80)


class UserError(Exception):
    """An error whose message is the whole story (bad input, missing file...): no traceback."""


def user_errors(func: Callable) -> Callable:
    """Turn expected failures into a one-line message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from db.store import StoreError, resolve_path

        try:
            return func(*args, **kwargs)
        except (UserError, StoreError, FileNotFoundError, PermissionError) as exc:
            console.print(f"[bold red]Error:[/] {exc}", soft_wrap=True)
            raise typer.Exit(2) from None
        except sqlite3.DatabaseError as exc:  # the disk or the file failed, not the code: say so, no traceback
            if not (getattr(exc, "sqlite_errorname", None) or "").startswith(_STORAGE_ERRORS):
                raise
            where = resolve_path(kwargs.get("db"))
            console.print(f"[bold red]Error:[/] cannot write or read {where}: {exc} ({exc.sqlite_errorname}); "
                          "check free disk space and the file (`sqlite3 FILE 'PRAGMA integrity_check'`)",
                          soft_wrap=True)
            raise typer.Exit(2) from None
        except Exception as exc:
            if type(exc).__name__ in {"SearchError", "SourcesError", "InputError", "RunLocked"}:
                console.print(f"[bold red]Error:[/] {exc}", soft_wrap=True)
                raise typer.Exit(2) from None
            raise

    return wrapper


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield an `advance(n)` callback driving a rich progress bar (quiet when not a terminal)."""
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def write_records(records: Iterable[dict[str, Any]], fmt: str, columns: list[str], title: str = "") -> None:
    """Stream records to stdout as JSON lines, CSV or a table (the table only for a terminal's sake)."""
    if fmt == "jsonl":
        for rec in records:
            sys.stdout.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    elif fmt == "json":
        json.dump(list(records), sys.stdout, ensure_ascii=False, default=str, indent=2)
        sys.stdout.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for rec in records:
            writer.writerow({k: _flat(rec.get(k)) for k in columns})
    elif fmt == "table":
        table = Table(title=title or None, show_lines=False)
        for col in columns:
            table.add_column(col, overflow="fold")
        for rec in records:
            table.add_row(*[_short(_cell(rec.get(c))) for c in columns])
        out.print(table)
    else:
        raise UserError(f"unknown format {fmt!r}")


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _cell(value: Any) -> str:
    """Amounts read better grouped and whole: 20 000 000 rather than 20000000.0."""
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.0f}".replace(",", "\u202f")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return _flat(value)


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
