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
    from flows.digest import render_digest

    text = render_digest(open_db(db_path, readonly=True), period="week", fmt=fmt)
    folder = Path(digest_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"weekly-{date.today().isoformat()}.{fmt}"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    print(f"weekly digest written to {target}")
    return str(target)
