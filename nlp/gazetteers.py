"""Shipped gazetteers (nlp/data/*.json): places and well-known funders, loaded once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Place:
    name: str  # surface form as written in the gazetteer
    country: str
    region: str | None
    region_code: str | None
    demonym: bool  # "française", "Paris-based": describes an organisation rather than a venue


@dataclass(frozen=True)
class Funder:
    name: str
    aliases: tuple[str, ...]
    kind: str
    country: str | None


def _load(name: str) -> dict:
    return json.loads(resources.files("nlp").joinpath("data", name).read_text(encoding="utf-8"))


@cache
def places() -> tuple[Place, ...]:
    data = _load("places.json")
    out: list[Place] = []
    adjectives = english_adjectives()
    for code, names in data["countries"].items():
        for n in names:
            out.append(Place(n, code, None, None, demonym=n[0].islower() or n in adjectives))
    for entry in data["places"]:
        for n in entry["names"]:
            out.append(Place(n, entry["country"], entry["region"], entry["region_code"],
                             demonym=n[0].islower() or n.endswith("-based")))
    return tuple(out)


@cache
def english_adjectives() -> frozenset[str]:
    """Capitalised nationality adjectives ("French", "Swiss"): demonyms in English text."""
    data = _load("places.json")
    adj = set()
    for names in data["countries"].values():
        for n in names[1:]:
            if n[0].isupper() and " " not in n and n not in ("UK", "U.K.", "US", "U.S.", "USA", "UAE"):
                adj.add(n)
    return frozenset(adj)


@cache
def funders() -> tuple[Funder, ...]:
    entries = _load("funders.json")["funders"]
    return tuple(Funder(f["name"], tuple(f["aliases"]), f["kind"], f["country"]) for f in entries)


@cache
def funder_index() -> dict[str, Funder]:
    """Lower-cased name or alias -> funder."""
    idx: dict[str, Funder] = {}
    for f in funders():
        for n in (f.name, *f.aliases):
            idx[n.lower()] = f
    return idx
