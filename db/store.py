"""Opening the fundwatch SQLite file: location, pragmas, migrations and clear failures."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from db.migrations import migrations

DEFAULT_DB = "fundwatch.db"
BUSY_TIMEOUT_MS = 30_000


class StoreError(RuntimeError):
    """A database problem the user can act on (message says what and where)."""


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """`--db` beats `FUNDWATCH_DB`, which beats ./fundwatch.db; absolute, since crawls and flows may run
    in another working directory."""
    return Path(path or os.environ.get("FUNDWATCH_DB") or DEFAULT_DB).expanduser().resolve()


def _check_schema(db: Database, where: Path) -> None:
    known = {m.name for m in migrations._migrations}
    newer = [m.name for m in migrations.applied(db) if m.name not in known]
    if newer:
        raise StoreError(
            f"{where} was written by a newer fundwatch (unknown migrations: {', '.join(newer)}); "
            "upgrade fundwatch to use it."
        )


def open_db(
    path: str | os.PathLike | None = None, *, readonly: bool = False, migrate: bool = True, check: bool = False,
) -> Database:
    """Open (and create or migrate) the database; raise StoreError rather than corrupting anything.

    `check` runs SQLite's quick_check first (seconds on a large file): commands that start a run use it,
    so a file damaged past its schema pages is refused before anything is written to it.
    """
    where = resolve_path(path)
    try:
        if readonly:
            if not where.exists():
                raise StoreError(f"no database at {where}; run `fundwatch crawl` or `fundwatch demo` first")
            conn = sqlite3.connect(f"file:{where}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        else:
            if where.exists() and not os.access(where, os.W_OK):
                raise StoreError(f"{where} is read-only; use --db to choose a writable database")
            if where.parent and not where.parent.exists():
                where.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(where), timeout=BUSY_TIMEOUT_MS / 1000)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA mmap_size = 268435456")  # read pages in place: steadier search latency
        db.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache
        if check:
            problems = [r[0] for r in db.execute("PRAGMA quick_check(5)").fetchall()]
            if problems != ["ok"]:
                raise StoreError(f"{where} is damaged (database disk image is malformed: {'; '.join(problems)}); "
                                 "restore it from a backup or use --db to start a new one")
        if not readonly:
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        _check_schema(db, where)
        if migrate and not readonly:
            migrations.apply(db)
        return db
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot use {where} as a fundwatch database: {exc}") from exc


def schema_version(db: Database) -> list[str]:
    """Names of the migrations applied, oldest first."""
    return [m.name for m in migrations.applied(db)]
