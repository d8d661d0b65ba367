"""How likely each amount is the money of a funding event, and whether the article is about
funding for AI at all. Pure text rules (cues.py) over the amounts' contexts."""

from __future__ import annotations

from dataclasses import dataclass, field

from nlp import cues
from nlp.money import Amount

MIN_EVENT_SCORE = 2.5
MIN_AI_MENTIONS = 2  # or one in the first 1200 characters


@dataclass
class Candidate:
    amount: Amount
    sent_start: int  # character offsets of the sentence holding the amount
    sent_end: int
    sent_index: int
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    equivalent_of: int | None = None  # index of the amount this one converts ("€105m ($113m)")


def ai_mentions(text: str) -> int:
    return len(cues.AI.findall(text)) + len(cues.AI_CASED.findall(text))


def score_candidate(text: str, c: Candidate, repeats: int) -> None:
    """Adds to c.score / c.reasons; the weights were set by hand on sentences of each kind."""
    a = c.amount
    sent = text[c.sent_start : c.sent_end]
    left = text[max(c.sent_start, a.start - 90) : a.start]
    near_left = left[-45:]
    right = text[a.end : min(c.sent_end, a.end + 60)]
    near_right = right[:30]

    def add(w: float, why: str) -> None:
        c.score += w
        c.reasons.append(f"{why} ({w:+.1f})")

    if cues.TEASER.search(sent):
        add(-6, "teaser")
    if cues.STRONG_FUNDING.search(sent):
        add(2.5, "funding verb")
    elif cues.FUNDING_VERB.search(sent):
        add(1.0, "funding word")
    if cues.STRONG_FUNDING.search(left[-70:] + " " + right[:40]):
        add(0.5, "verb next to amount")
    if cues.VALUATION.search(near_left[-30:]) or cues.VALUATION.search(near_right[:22]):
        add(-4.5, "valuation")
    if cues.REVENUE.search(near_left[-35:]) or cues.REVENUE.search(near_right[:20]):
        add(-3.5, "revenue/cost")
    if cues.TOTAL.search(near_left) or cues.TOTAL.search(near_right[:15]):
        add(-2.0, "total/earlier rounds")
    if cues.MARKET.search(left[-80:] + " " + right[:40]) and not cues.STRONG_FUNDING.search(near_left[-30:]):
        add(-1.0, "market words")
    if cues.NEGATION.search(left):
        add(-3.0, "negated")
    if cues.PAST.search(text[c.sent_start : a.start][-160:] + " " + right[:45]):
        add(-1.0, "past")
    if cues.COMPARATOR.search(text[c.sent_start : a.start][-160:]):
        add(-1.0, "comparison")
    if a.approx:
        add(-0.5, "approximate")
    if sent.rstrip().endswith("?") or "?" in right:
        add(-1.0, "question")
    if c.sent_index == 0:
        add(1.5, "title")
    elif c.sent_index <= 2:
        add(0.8, "lead")
    if repeats:
        add(min(repeats, 3) * 0.5, "repeated")
    if cues.AI.search(sent) or cues.AI_CASED.search(sent):
        add(0.5, "AI in sentence")
    if a.currency is None:
        add(-0.5, "no currency")
    if a.value < 50_000:
        add(-2.0, "small")


def article_decision(text: str, best: Candidate | None) -> tuple[bool, float, str]:
    """(relevant, score 0..1, reason)."""
    n_ai = ai_mentions(text)
    head_ai = ai_mentions(text[:1200])
    if best is None:
        return False, 0.05, f"no funding amount; {n_ai} AI mentions"
    s = best.score
    if n_ai < MIN_AI_MENTIONS and head_ai == 0 or n_ai == 0:
        return False, 0.2, f"funding without AI ({n_ai} AI mentions); best amount {best.amount.text!r}"
    prob = max(0.0, min(1.0, 0.5 + (s - MIN_EVENT_SCORE) / 8))
    why = ", ".join(best.reasons)
    if s < MIN_EVENT_SCORE:
        return False, prob, f"no amount reads as a funding event (best {best.amount.text!r}: {why})"
    return True, prob, f"{best.amount.text!r} scores {s:.1f}: {why}; {n_ai} AI mentions"
