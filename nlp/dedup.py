"""Which mentions denote the same real-world funding: names, amounts in EUR, dates and rounds compared.

Pure functions (no I/O), shared by `fundwatch extract` (one batch) and `fundwatch process` (mentions
merged into events already stored), so both decide the same way and say why.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz

from nlp.currency import parse_day

AMOUNT_TOLERANCE = 0.10  # relative gap allowed between two amounts in EUR (rates and roundings differ)
DATE_WINDOW_DAYS = 45  # outlets report one round over a few weeks; rounds of one company are months apart
NAMED_AMOUNT_TOLERANCE = 0.05  # when only the other report names the recipient, amounts must agree closely
FUZZY_MIN = 90  # rapidfuzz ratio (0-100) for spelling variants ("HuggingFace" / "Hugging Face")

# Legal forms and articles dropped before comparing names (FR + EN + common European forms).
LEGAL_WORDS = frozenset({
    "sas", "sasu", "sa", "sarl", "eurl", "sci", "inc", "incorporated", "ltd", "limited", "llc", "llp",
    "gmbh", "ag", "corp", "corporation", "co", "company", "plc", "bv", "nv", "srl", "spa", "ab", "as",
    "oy", "se", "kg", "pte", "pty", "the", "la", "le", "les", "l", "groupe", "group", "holding", "holdings",
})
# Words too common to identify a recipient alone ("AI" is not the same company as "Element AI").
GENERIC_WORDS = frozenset({
    "ai", "ia", "intelligence", "artificielle", "artificial", "tech", "technologies", "technology",
    "labs", "lab", "systems", "solutions", "data", "robotics", "capital", "ventures", "partners", "fund",
    "fonds", "france", "europe", "european", "europeen", "europeenne", "de", "du", "des", "d", "et",
    "and", "of", "for", "pour", "sur", "en", "startup", "start", "up", "societe", "entreprise",
    "national", "nationale", "institute", "institut", "programme", "program", "plan", "initiative",
    "gouvernement", "government", "ministere", "ministry", "ministre", "minister", "etat", "state", "region",
    "ville", "city", "commission", "banque", "bank", "universite", "university", "agence", "agency",
    "fondation", "foundation", "federal", "feds", "uk", "us", "usa", "eu", "ue", "nouveau", "new", "record",
    "news", "company", "group", "groupe", "global", "international", "research", "recherche",
})

# One canonical key per organisation known under different names across languages.
ALIASES: dict[str, tuple[str, ...]] = {
    "european investment bank": ("eib", "bei", "banque europeenne d investissement",
                                 "europaische investitionsbank"),
    "european investment fund": ("eif", "fei", "fonds europeen d investissement"),
    "european commission": ("commission europeenne", "ec", "eu commission"),
    "european innovation council": ("eic", "conseil europeen de l innovation"),
    "bpifrance": ("bpi france", "bpi", "banque publique d investissement"),
    "andreessen horowitz": ("a16z",),
    "caisse des depots": ("caisse des depots et consignations", "cdc", "banque des territoires"),
    "france 2030": ("plan france 2030",),
    "general catalyst": ("general catalyst partners",),
    "lightspeed venture partners": ("lightspeed", "lightspeed ventures"),
    "sequoia capital": ("sequoia",),
    "microsoft": ("msft",),
    "alphabet": ("google",),
    "meta": ("facebook", "meta platforms"),
    "openai": ("open ai",),
    "hugging face": ("huggingface",),
    "uk research and innovation": ("ukri",),
    "innovate uk": (),
    "wallonie": ("region wallonne", "wallonia", "walloon region"),
}


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, str]:
    """Folded alias -> canonical key, from the table above and the funders gazetteer of nlp.gazetteers."""
    index = {alias: canon for canon, aliases in ALIASES.items() for alias in (canon, *aliases)}
    try:
        from nlp.gazetteers import funders
    except ImportError:  # gazetteer not shipped: the table above still applies
        return index
    for funder in funders():
        names = [fold(n) for n in (funder.name, *funder.aliases)]
        canon = index.get(names[0], names[0])
        for n in names:
            index.setdefault(n, canon)
    return index


@lru_cache(maxsize=1)
def _funders_by_folded_name() -> dict[str, tuple[str, str | None]]:
    try:
        from nlp.gazetteers import funders
    except ImportError:
        return {}
    return {fold(n): (f.name, f.kind) for f in funders() for n in (f.name, *f.aliases)}


def known_organisation(name: str | None) -> tuple[str, str | None] | None:
    """(display name, kind) of a funder the gazetteer knows under this name or alias, else None."""
    return _funders_by_folded_name().get(fold(name))


class MentionLike(Protocol):
    """What de-duplication reads of a mention; optional `evidence` and `context` (article text) help
    when two reports disagree on the recipient."""

    recipient: str | None
    amount: float | None
    currency: str | None
    amount_eur: float | None
    round: str | None
    published: str | None


@lru_cache(maxsize=4096)
def fold(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces (accents, punctuation, apostrophes folded)."""
    s = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", s))


@lru_cache(maxsize=4096)
def normalise_name(name: str | None) -> str:
    """Comparison key of an organisation name: folded, legal forms dropped, known aliases unified."""
    name = re.sub(r"\([^)]*\)", " ", name or "")  # "Swiss National AI Institute (SNAI)" -> the long form
    folded = fold(name)
    index = _alias_index()
    if folded in index:
        return index[folded]
    tokens = [t for t in folded.split() if t not in LEGAL_WORDS]
    key = " ".join(tokens) or folded
    return index.get(key, key)


@lru_cache(maxsize=4096)
def name_variants(name: str | None) -> frozenset[str]:
    """Every key a name can match under: its normal form, bracketed short forms, its acronym."""
    raw = name or ""
    variants = {normalise_name(raw)}
    for inner in re.findall(r"\(([^)]*)\)", raw):
        variants.add(normalise_name(inner))
    words = [t for t in fold(re.sub(r"\([^)]*\)", " ", raw)).split() if t not in LEGAL_WORDS
             and t not in {"de", "du", "des", "d", "l", "of", "for", "the", "et", "and"}]
    if len(words) >= 3:
        variants.add("".join(w[0] for w in words))
    # stray letters from tokenisation ("Mistral n", "l IA") carry no identity
    variants |= {" ".join(t for t in v.split() if len(t) > 1) for v in list(variants)}
    return frozenset(v for v in variants if v)


def _distinctive(tokens: Iterable[str]) -> set[str]:
    return {t for t in tokens if t not in GENERIC_WORDS and len(t) > 1}


def _generic(name: str | None) -> bool:
    return not _distinctive(normalise_name(name).split())


def same_recipient(a: str | None, b: str | None) -> tuple[bool, str]:
    """Do two recipient names denote one organisation? Returns the verdict and how it was reached."""
    va, vb = name_variants(a), name_variants(b)
    if not va or not vb:
        return False, "recipient unknown"
    shared = va & vb
    if shared:
        how = "same name" if fold(a) == fold(b) else "known alias or acronym"
        return True, f"{how} ({sorted(shared)[0]!r})"
    for x in va:
        for y in vb:
            if x.replace(" ", "") == y.replace(" ", ""):
                return True, f"same name without spaces ({x!r} / {y!r})"
            tx, ty = set(x.split()), set(y.split())
            small = tx if len(tx) <= len(ty) else ty
            if (tx <= ty or ty <= tx) and _distinctive(small):
                return True, f"name contained in the other ({x!r} / {y!r})"
            if min(len(x), len(y)) >= 5 and fuzz.ratio(x, y) >= FUZZY_MIN:
                return True, f"similar spelling ({x!r} / {y!r}, {fuzz.ratio(x, y):.0f}%)"
    return False, f"different recipients ({normalise_name(a)!r} / {normalise_name(b)!r})"


def _day(m: MentionLike) -> date | None:
    return _parse_day(getattr(m, "published", None))


@lru_cache(maxsize=4096)
def _parse_day(value: str | None) -> date | None:
    return parse_day(value)


def _eur(m: MentionLike) -> float | None:
    if m.amount_eur is not None:
        return float(m.amount_eur)
    if m.amount is not None and (m.currency or "").upper() == "EUR":
        return float(m.amount)
    return None


def _gap(a: MentionLike, b: MentionLike) -> float:
    """Relative gap between two amounts (same currency directly, else in EUR); 1.0 when unknown."""
    if (a.amount is not None and b.amount is not None and a.currency and b.currency
            and a.currency.upper() == b.currency.upper()):
        return abs(a.amount - b.amount) / max(abs(a.amount), abs(b.amount), 1.0)
    ea, eb = _eur(a), _eur(b)
    if ea is None or eb is None:
        return 1.0
    return abs(ea - eb) / max(abs(ea), abs(eb), 1.0)


def compare_amounts(a: MentionLike, b: MentionLike) -> tuple[bool | None, str]:
    """True/False when the amounts agree/disagree, None when one is missing."""
    if (a.amount is not None and b.amount is not None and a.currency and b.currency
            and a.currency.upper() == b.currency.upper()):
        gap = abs(a.amount - b.amount) / max(abs(a.amount), abs(b.amount), 1.0)
        label = f"{a.amount:,.0f} / {b.amount:,.0f} {a.currency.upper()}"
        if gap <= AMOUNT_TOLERANCE:
            return True, f"amount {label}" + ("" if gap == 0 else f" ({gap:.1%} apart)")
        return False, f"amounts far apart ({label})"
    ea, eb = _eur(a), _eur(b)
    if ea is None or eb is None:
        return None, "amount unknown"
    gap = abs(ea - eb) / max(abs(ea), abs(eb), 1.0)
    label = (f"{a.amount:,.0f} {a.currency} / {b.amount:,.0f} {b.currency} "
             f"= {ea / 1e6:,.1f}M / {eb / 1e6:,.1f}M EUR")
    if gap <= AMOUNT_TOLERANCE:
        return True, f"amount {label} ({gap:.1%} apart)"
    return False, f"amounts far apart ({label})"


def compare_dates(a: MentionLike, b: MentionLike) -> tuple[bool | None, str]:
    da, db_ = _day(a), _day(b)
    if da is None or db_ is None:
        return None, "date unknown"
    days = abs((da - db_).days)
    if days <= DATE_WINDOW_DAYS:
        return True, f"dates {days} days apart"
    return False, f"dates {days} days apart (window {DATE_WINDOW_DAYS})"


@lru_cache(maxsize=256)
def _round_key(value: str | None) -> str | None:
    key = fold(value).replace(" ", "_")
    return key or None


def _named_in(name: str | None, text: str | None) -> bool:
    if not name or not text:
        return False
    haystack = f" {fold(text)} "
    for variant in {fold(re.sub(r"\([^)]*\)", " ", name)), *name_variants(name)}:
        if len(variant) >= 3 and _distinctive(variant.split()) and f" {variant} " in haystack:
            return True
    return False


def named_in_report(a: MentionLike, b: MentionLike) -> tuple[bool, str]:
    """Is one mention's recipient named in the other's evidence sentence, or (with a tighter amount
    check by the caller) in the other's article?

    Two reports of one round can disagree on the recipient when one picked another organisation of
    its sentence ("Mistral AI, founded by former DeepMind researchers, raised..."); the sentence or
    the article still names the true recipient.
    """
    for x, y in ((a, b), (b, a)):
        if _named_in(x.recipient, getattr(y, "evidence", None)):
            return True, f"{x.recipient!r} named in the other report's evidence"
    for x, y in ((a, b), (b, a)):
        if _named_in(x.recipient, getattr(y, "context", None)):
            return True, f"{x.recipient!r} named in the other report's article"
    return False, "recipient not named in the other report"


def _same_round_mislabelled(a: MentionLike, b: MentionLike) -> bool:
    """Round labels are read from wording ("ce tour de série A ... le tour d'amorçage") and can be wrong;
    two dated reports of almost the same amount within the window are one round whatever their labels."""
    da, db_ = _day(a), _day(b)
    return (da is not None and db_ is not None and abs((da - db_).days) <= DATE_WINDOW_DAYS
            and _eur_or_same_currency(a, b) and _gap(a, b) <= NAMED_AMOUNT_TOLERANCE)


def contradiction(a: MentionLike, b: MentionLike) -> str | None:
    """Why two mentions cannot be one event whoever they name (different round, amount or date)."""
    if a.round and b.round:
        ra, rb = _round_key(a.round), _round_key(b.round)
        if ra != rb and not _same_round_mislabelled(a, b):
            return f"different rounds ({ra} / {rb})"
    if _gap(a, b) > AMOUNT_TOLERANCE and _eur_or_same_currency(a, b):
        return compare_amounts(a, b)[1]
    da, db_ = _day(a), _day(b)
    if da is not None and db_ is not None and abs((da - db_).days) > DATE_WINDOW_DAYS:
        return compare_dates(a, b)[1]
    return None


def _eur_or_same_currency(a: MentionLike, b: MentionLike) -> bool:
    """Both amounts comparable (same currency, or both known in EUR)."""
    if a.amount is None or b.amount is None:
        return False
    if a.currency and b.currency and a.currency.upper() == b.currency.upper():
        return True
    return _eur(a) is not None and _eur(b) is not None


def same_event(a: MentionLike, b: MentionLike) -> tuple[bool, str]:
    """Do two mentions report the same funding? The reason lists every criterion that decided.

    Cheap contradictions (round, amount, date) are checked before names.
    """
    conflict = contradiction(a, b)
    if conflict:
        return False, conflict
    ra, rb = _round_key(a.round), _round_key(b.round)
    amounts, why_amount = compare_amounts(a, b)
    dates, why_date = compare_dates(a, b)
    if amounts is None and not (ra and ra == rb and dates):
        return False, "amount unknown and round/date not both confirmed"
    ok, why_name = same_recipient(a.recipient, b.recipient)
    if ok and _generic(a.recipient) and _generic(b.recipient):
        # "Gouvernement" / "Gouvernement": a generic name identifies nobody, the amounts must say it
        ok = amounts is True and _gap(a, b) <= NAMED_AMOUNT_TOLERANCE
        why_name = f"generic name, close amounts ({why_name})" if ok else f"generic name only ({why_name})"
    if not ok:
        if amounts is None or _gap(a, b) > NAMED_AMOUNT_TOLERANCE:
            return False, why_name
        by_report, why_report = named_in_report(a, b)
        if not by_report:
            return False, why_name
        why_name = why_report
    reasons = [f"recipient: {why_name}", why_amount, why_date]
    if ra and ra == rb:
        reasons.append(f"round {ra}")
    elif ra and rb:
        reasons.append(f"round labels differ ({ra} / {rb}) for one amount and date")
    return True, "; ".join(reasons)


@dataclass
class Report:
    """A mention with its article's text, for callers that have the article at hand."""

    recipient: str | None
    amount: float | None
    currency: str | None
    amount_eur: float | None
    round: str | None
    published: str | None
    evidence: str = ""
    context: str = ""

    @classmethod
    def of(cls, m: MentionLike, context: str = "") -> Report:
        return cls(m.recipient, m.amount, m.currency, m.amount_eur, m.round, m.published,
                   getattr(m, "evidence", "") or "", context or "")


@dataclass
class Match:
    index: int | None  # cluster matched, None for a new event
    reason: str


def match_cluster(item: MentionLike, clusters: Sequence[Sequence[MentionLike]]) -> Match:
    """The cluster `item` belongs to: it matches one member and contradicts none (no chaining drift).

    When several clusters qualify, the one with the closest amount in EUR wins.
    """
    best: tuple[float, int, str] | None = None
    for i, members in enumerate(clusters):
        if any(contradiction(item, m) for m in members):
            continue
        reason = next((why for same, why in (same_event(item, m) for m in members) if same), None)
        if reason:
            ea, eb = _eur(item), _eur(members[0])
            gap = abs(ea - eb) / max(ea, eb, 1.0) if ea is not None and eb is not None else 1.0
            if best is None or gap < best[0]:
                best = (gap, i, reason)
    if best is None:
        return Match(None, "new event")
    return Match(best[1], best[2])


def event_key(m: MentionLike, salt: str = "") -> str:
    """Stable id from what defines an event when first seen: recipient, amount bucket, month."""
    eur = _eur(m)
    bucket = f"{eur:.2g}" if eur is not None else f"{m.amount}{m.currency}"
    day = _day(m)
    month = day.strftime("%Y-%m") if day else ""
    basis = "|".join([normalise_name(m.recipient), bucket, month, _round_key(m.round) or "", salt])
    return "ev_" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def _bucket(m: MentionLike) -> int | None:
    """Log-scale amount bucket one tolerance wide: same-event amounts fall in neighbouring buckets."""
    eur = _eur(m)
    if eur is None or eur <= 0:
        return None
    return int(math.floor(math.log(eur) / math.log(1 + AMOUNT_TOLERANCE)))


def assign_event_ids(items: Sequence[MentionLike]) -> list[str]:
    """One id per item; items reporting the same event (per `same_event`) share it. Order-stable.

    Clusters are indexed by amount bucket so a large batch is not compared all against all.
    """
    clusters: list[list[MentionLike]] = []
    cluster_ids: list[str] = []
    by_bucket: dict[int | None, list[int]] = {}
    ids: list[str] = []
    for item in items:
        bucket = _bucket(item)
        if bucket is None:  # amount unknown: only a same-round, same-date match could hold; look everywhere
            pool = list(range(len(clusters)))
        else:
            pool = sorted({i for b in (*range(bucket - 2, bucket + 3), None) for i in by_bucket.get(b, [])})
        match = match_cluster(item, [clusters[i] for i in pool])
        if match.index is None:
            index = len(clusters)
            clusters.append([item])
            key, n = event_key(item), 1
            while key in cluster_ids:  # two distinct events with the same key: keep them apart
                key, n = event_key(item, salt=str(n)), n + 1
            cluster_ids.append(key)
        else:
            index = pool[match.index]
            clusters[index].append(item)
        if index not in by_bucket.setdefault(bucket, []):
            by_bucket[bucket].append(index)
        ids.append(cluster_ids[index])
    return ids
