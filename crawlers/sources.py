"""News sources to crawl, read from a TOML file (`sources.toml`) or the shipped default list."""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

KINDS = ("feed", "sitemap", "listing", "page", "auto")
DEFAULT_SOURCES = "default_sources.toml"


@dataclass(frozen=True)
class Source:
    """One outlet entry point. `allow`/`deny` are regexes searched in article URLs."""

    name: str
    kind: str
    url: str
    lang: str | None = None
    allow: tuple[str, ...] = field(default_factory=tuple)
    deny: tuple[str, ...] = field(default_factory=tuple)
    delay: float | None = None
    max_age_days: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return _build(data, where="job")


def _patterns(value: Any, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: `{key}` must be a regex or a list of regexes")
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{where}: bad `{key}` regex {pattern!r}: {exc}") from exc
    return tuple(value)


def _build(data: dict[str, Any], where: str, defaults: dict[str, Any] | None = None) -> Source:
    data = {**(defaults or {}), **data}
    unknown = set(data) - {"name", "kind", "url", "lang", "allow", "deny", "delay", "max_age_days"}
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("name", "url"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"{where}: `{key}` is required")
    kind = data.get("kind", "auto")
    if kind not in KINDS:
        raise ValueError(f"{where}: `kind` must be one of {', '.join(KINDS)}, not {kind!r}")
    if not re.match(r"^https?://", data["url"]):
        raise ValueError(f"{where}: `url` must be an http(s) URL, not {data['url']!r}")
    lang = data.get("lang")
    if lang is not None and lang not in ("fr", "en"):
        raise ValueError(f"{where}: `lang` must be fr or en")
    delay = data.get("delay")
    if delay is not None and (not isinstance(delay, int | float) or delay < 0):
        raise ValueError(f"{where}: `delay` must be a number of seconds >= 0")
    max_age = data.get("max_age_days")
    if max_age is not None and (not isinstance(max_age, int) or max_age <= 0):
        raise ValueError(f"{where}: `max_age_days` must be a positive integer")
    return Source(
        name=data["name"].strip(), kind=kind, url=data["url"].strip(), lang=lang,
        allow=_patterns(data.get("allow"), "allow", where), deny=_patterns(data.get("deny"), "deny", where),
        delay=float(delay) if delay is not None else None, max_age_days=max_age,
    )


def parse_sources(text: str, where: str = "sources") -> list[Source]:
    """Parse TOML text: optional `[defaults]` table, then one `[[source]]` table per outlet."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{where}: invalid TOML: {exc}") from exc
    defaults = data.get("defaults") or {}
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where}: no [[source]] entries")
    sources = [_build(entry, f"{where}: source #{i + 1}", defaults) for i, entry in enumerate(entries)]
    names = [s.name for s in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{where}: duplicate source name(s): {', '.join(dupes)}")
    return sources


def load_sources(path: str | Path | None = None) -> list[Source]:
    """Sources from `path`, or the shipped default outlets when `path` is None."""
    if path is None:
        text = (resources.files("crawlers") / DEFAULT_SOURCES).read_text(encoding="utf-8")
        return parse_sources(text, where=DEFAULT_SOURCES)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"sources file {path} does not exist")
    return parse_sources(path.read_text(encoding="utf-8"), where=str(path))


def adhoc_source(url: str) -> Source:
    """A source for one `--url`: its kind (feed, sitemap or page) is detected after fetching."""
    return Source(name="adhoc", kind="auto", url=url)


def site_key(url: str) -> str:
    """The site a URL belongs to (host, "www." ignored): sources of one site must not be crawled in
    parallel, or the per-domain politeness limits would be multiplied."""
    return (urlsplit(url).hostname or url).lower().removeprefix("www.")


def group_by_site(sources: list[Source]) -> dict[str, list[Source]]:
    """Sources grouped by site, in file order: crawl the groups in parallel, each group's sources in turn."""
    groups: dict[str, list[Source]] = {}
    for source in sources:
        groups.setdefault(site_key(source.url), []).append(source)
    return groups
