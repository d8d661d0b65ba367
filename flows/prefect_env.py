"""Environment Prefect must see before it is imported: offline, quiet, and apart from our database."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "true",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_UI_ENABLED": "false",
}


def configure(prefect_home: str | os.PathLike | None = None) -> Path:
    """Set offline defaults (never overriding the user's own) and return Prefect's home folder.

    Prefect keeps its own SQLite database in its home; by default that is ~/.fundwatch/prefect so it
    never shares a file with fundwatch's database.
    """
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    home = Path(prefect_home or os.environ.get("PREFECT_HOME") or Path.home() / ".fundwatch" / "prefect")
    home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(home)
    return home
