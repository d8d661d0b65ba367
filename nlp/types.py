"""Plain data passed between the NLP stages and out of `nlp/`.

Kept free of spaCy objects so results can be pickled, stored and sent across processes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ArticleIn:
    """One text to analyse; only `id` and `text` are required."""

    id: str
    text: str
    lang: str | None = None  # "fr" / "en" is trusted (the crawler detected it); anything else is detected
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when known


@dataclass
class Mention:
    """One funding event as one article reports it."""

    recipient: str | None
    amount: float | None
    currency: str | None  # ISO 4217
    investors: list[str] = field(default_factory=list)
    lead_investors: list[str] = field(default_factory=list)
    country: str | None = None  # ISO 3166-1 alpha-2
    region: str | None = None  # region name as users read it, e.g. "Île-de-France"
    region_code: str | None = None  # ISO 3166-2, e.g. "FR-IDF"
    kind: str = "other"  # private_round | public_program | grant | debt | acquisition | other
    round: str | None = None  # pre-seed | seed | series_a | ...
    period: str | None = None  # "3 years" for amounts spread over time
    evidence: str = ""
    start: int = 0  # character offsets of the evidence sentence in the article text
    end: int = 0
    amount_eur: float | None = None
    published: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Analysis:
    """What the NLP found in one article."""

    id: str
    lang: str | None
    relevant: bool
    score: float
    reason: str
    skip_reason: str | None = None  # language | too_short | not_relevant
    mentions: list[Mention] = field(default_factory=list)
    title: str | None = None
    url: str | None = None
    published: str | None = None
