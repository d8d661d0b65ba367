"""Timestamps stored as ISO-8601 UTC text, so they sort and compare as strings."""

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
