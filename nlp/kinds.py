"""Kind of funding (private round, public programme, grant, debt, acquisition) and round name."""

from __future__ import annotations

from nlp import cues


def funding_round(text: str) -> str | None:
    """Round named in the evidence ("série A", "seed round"); pre-seed is checked before seed."""
    for name, pattern in cues.ROUND:
        if pattern.search(text):
            return name
    return None


def funding_kind(sentence: str, context: str, public_funder: bool) -> str:
    """Decide from the evidence sentence first, then the surrounding paragraph."""
    for text in (sentence, context):
        if cues.ACQUISITION.search(text) and not any(
            not cues.ACQUISITION.fullmatch(m.group(0)) for m in cues.STRONG_FUNDING.finditer(text)
        ):
            return "acquisition"
        if cues.DEBT.search(text):
            return "debt"
        if cues.GRANT.search(text):
            return "grant"
        if funding_round(text) or _PRIVATE.search(text):
            return "private_round"
        if public_funder or cues.PUBLIC.search(text):
            return "public_program"
    return "other"


_PRIVATE = cues._re(
    r"\b(?:rais(?:e|es|ed)|funding round|financing round|round|tour de table|lev[ée]e de fonds|l[èe]ve|"
    r"a lev[ée]|investors|investisseurs|venture|capital-risque|start-?up|valuation|valorisation)\b"
)
