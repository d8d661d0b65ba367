"""The weekly digest as a Prefect flow, so the newsletter file is ready before editors start the week."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow

from db.store import open_db


@flow(name="weekly-digest", log_prints=True)
def weekly_digest(db_path: str = "fundwatch.db", digest_dir: str = "digests", fmt: str = "html") -> str:
    """Render the last week's events to `<digest_dir>/weekly-<today>.<fmt>` (atomic write: readers never
    see half a file) and return its path."""
    from flows.digest import render_digest, write_digest_file

    text = render_digest(open_db(db_path, readonly=True), period="week", fmt=fmt)
    target = write_digest_file(text, Path(digest_dir) / f"weekly-{date.today().isoformat()}.{fmt}")
    print(f"weekly digest written to {target}")
    return str(target)
