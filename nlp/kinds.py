"""Kind of funding (private round, public programme, grant, debt, acquisition) and round name."""

from __future__ import annotations

from nlp import cues


def funding_round(text: str) -> str | None:
    """Round named in the evidence ("série A", "seed round"); pre-seed is checked before seed."""
    for name, pattern in cues.ROUND:
        if pattern.search(text):
            return name
    return None


_EARLIER = cues._re(
    r"(?:d[ée]j[àa]|previous(?:ly)?|pr[ée]c[ée]dent\w*|earlier|prior|last|dernier|derni[èe]re|avait|had|"
    r"after (?:its|their|a|the)|apr[èe]s (?:son|sa|leur|un|une|le|la)|since (?:its|their)|following (?:its|a))"
    r"\W+(?:\w+\W+){0,5}$"
)


def funding_round_near(text: str, start: int, end: int) -> str | None:
    """The round named closest to the amount at text[start:end] ("Ce tour de série A ... qui avait déjà
    participé au tour d'amorçage" -> series_a): a label next to the figure beats a later mention of an
    earlier round, and rounds introduced as earlier ones are skipped."""
    found = []
    for name, pattern in cues.ROUND:
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), name))
    best, best_d = None, None
    for s, e, name in found:
        if any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2, _ in found):
            continue  # "seed" inside "pre-seed"
        if _EARLIER.search(text[max(0, s - 60) : s]):
            continue
        d = s - end if s >= end else start - e
        if best_d is None or d < best_d:
            best, best_d = name, d
    return best


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
