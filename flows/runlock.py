"""One pipeline run at a time per database: a second run exits with a clear message instead of racing."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RunLocked(RuntimeError):
    """Another fundwatch run holds the database."""


@contextmanager
def run_lock(db_path: str | os.PathLike) -> Iterator[Path]:
    """Hold an exclusive lock on `<db>.lock` (released by the OS even if the process is killed)."""
    lock_path = Path(f"{db_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RunLocked(f"another fundwatch run ({holder}) is using {db_path}; try again when it ends") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield lock_path
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
