"""Money amounts in French and English news text, as pure functions.

No spaCy here so the parser can be unit- and property-tested fast; the spaCy component in
`nlp.components` only wraps `find_amounts`. Every pattern is linear (no nested quantifiers) so
pathological input cannot make it backtrack for long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --- vocabularies -----------------------------------------------------------------------------------

SCALES: dict[str, float] = {
    "k": 1e3, "thousand": 1e3, "mille": 1e3,
    "m": 1e6, "mn": 1e6, "mln": 1e6, "mio": 1e6, "mio.": 1e6, "million": 1e6, "millions": 1e6,
    "md": 1e9, "mds": 1e9, "mrd": 1e9, "mrds": 1e9, "milliard": 1e9, "milliards": 1e9,
    "b": 1e9, "bn": 1e9, "bln": 1e9, "billion": 1e9, "billions": 1e9,
    "trillion": 1e12, "trillions": 1e12, "tn": 1e12,
    "crore": 1e7, "crores": 1e7, "cr": 1e7, "lakh": 1e5, "lakhs": 1e5,
}

# prefix symbols/codes, longest first in the regex
PREFIX_CURRENCIES: dict[str, str] = {
    "us$": "USD", "u.s.$": "USD", "$$": "USD", "usd": "USD", "$us": "USD", "$": "USD",
    "c$": "CAD", "ca$": "CAD", "can$": "CAD", "cad": "CAD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "nz$": "NZD", "nzd": "NZD",
    "s$": "SGD", "sgd": "SGD", "hk$": "HKD", "hkd": "HKD",
    "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "chf": "CHF", "fr.": "CHF",
    "¥": "JPY", "jpy": "JPY", "cny": "CNY", "rmb": "CNY", "yuan": "CNY",
    "₹": "INR", "rs": "INR", "rs.": "INR", "inr": "INR", "₩": "KRW", "krw": "KRW",
    "sek": "SEK", "nok": "NOK", "dkk": "DKK", "pln": "PLN", "aed": "AED",
    "brl": "BRL", "r$": "BRL", "xof": "XOF", "fcfa": "XOF",
}

# words/symbols after the number ("20 millions d'euros", "15 M€", "25 millions $ US")
SUFFIX_CURRENCIES: dict[str, str] = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "$": "USD", "$ us": "USD", "$us": "USD", "$ usd": "USD", "us$": "USD", "usd": "USD",
    "$ ca": "CAD", "$ can": "CAD", "$ cad": "CAD",
    "dollar": "USD", "dollars": "USD", "us dollars": "USD", "u.s. dollars": "USD",
    "dollars us": "USD", "dollars américains": "USD", "dollars americains": "USD",
    "dollars canadiens": "CAD", "canadian dollars": "CAD", "dollars australiens": "AUD",
    "australian dollars": "AUD", "singapore dollars": "SGD", "dollars de singapour": "SGD",
    "£": "GBP", "pounds": "GBP", "pound": "GBP", "pounds sterling": "GBP", "sterling": "GBP",
    "livres": "GBP", "livres sterling": "GBP", "livre sterling": "GBP", "gbp": "GBP",
    "chf": "CHF", "francs suisses": "CHF", "franc suisse": "CHF", "swiss francs": "CHF", "francs": "CHF",
    "yen": "JPY", "yens": "JPY", "jpy": "JPY", "yuan": "CNY", "yuans": "CNY", "renminbi": "CNY", "cny": "CNY",
    "won": "KRW", "wons": "KRW", "krw": "KRW", "rupees": "INR", "roupies": "INR", "inr": "INR",
    "cad": "CAD", "sgd": "SGD", "aud": "AUD", "sek": "SEK", "couronnes suédoises": "SEK",
    "dirhams": "MAD", "fcfa": "XOF", "francs cfa": "XOF",
}

_UNITS_FR = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "cent": 100, "cents": 100,
}
_UNITS_EN = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "half": 0.5, "demi": 0.5,
}
NUMBER_WORDS: dict[str, float] = {**_UNITS_EN, **_UNITS_FR}

# --- regex --------------------------------------------------------------------------------------------


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM = r"\d{1,3}(?:[ \u00a0\u202f.,’']\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_WORDS = _alt(NUMBER_WORDS)
_WORD_NUM = rf"(?:{_WORDS})(?:[- ](?:et[- ])?(?:{_WORDS}))?"
_SCALE = r"(?:" + _alt([s for s in SCALES if s != "mio."]) + r")\b\.?"
_PRE = _alt(PREFIX_CURRENCIES)
_SUF = _alt(SUFFIX_CURRENCIES).replace("\\ ", r"[\s\u00a0\u202f]+")
# bare dollars: USD by default, the local dollar in Canadian, Singaporean... articles
AMBIGUOUS_DOLLAR = frozenset({"$", "$$", "dollar", "dollars"})
_LINK = r"(?:\s*(?:de\s+|d['’]\s*|of\s+)?)"

AMOUNT_RE = re.compile(
    rf"""
    (?<![\w$€£¥₹₩])
    (?:(?P<pre>{_PRE})\s?)?
    (?:(?P<num>{_NUM})(?:[\s-]?(?P<scale>{_SCALE})(?!\w))?
       |(?P<word>{_WORD_NUM})[\s-](?P<wscale>{_SCALE})(?!\w))
    (?:{_LINK}(?P<suf>{_SUF})(?![a-zà-ÿ]))?
    """,
    re.IGNORECASE | re.VERBOSE,
)

_PERIOD_RE = re.compile(
    r"(?:(?:étalée?s?|réparti[es]*|spread)\s+)?(?:sur|over|across|pour|for|during|pendant|within)\s+"
    r"(?:(?:les|la|the|next|prochaines?|coming|a|une|period\s+of|période\s+de)\s+){0,3}"
    r"(?P<n>\d{1,2}|" + _WORDS + r")\s+(?P<unit>ans|années|years|year|an|mois|months)",
    re.IGNORECASE,
)
_PER_YEAR_RE = re.compile(r"^\s*(?:per|a|each|par|chaque|/)\s*(?:year|an|année|yr)\b", re.IGNORECASE)
_UNTIL_RE = re.compile(r"(?:d['’]ici|jusqu['’](?:en|à)|by|until|through)\s+(?P<y>20\d\d)", re.IGNORECASE)


@dataclass
class Amount:
    """One money amount found in text; `value` in units (20 millions -> 20000000.0)."""

    start: int
    end: int
    text: str
    value: float
    currency: str | None
    currency_explicit: bool = True  # False when guessed (bare "$" or no currency at all)
    approx: bool = False
    period: str | None = None
    flags: list[str] = field(default_factory=list)


def parse_number(raw: str, scaled: bool = False) -> float | None:
    """'1,5' -> 1.5, '100 000' -> 100000, '1.300,5' -> 1300.5, '10,372' (before crore) via scaled."""
    s = raw.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    if not s or not s[0].isdigit():
        return None
    s = s.replace(" ", "").replace("'", "")
    seps = [c for c in s if c in ".,"]
    if not seps:
        return float(s)
    if len(set(seps)) == 2:  # both used: the last one is the decimal mark
        dec = s.rstrip("0123456789")[-1]
        thou = "," if dec == "." else "."
        s = s.replace(thou, "").replace(dec, ".")
        return _float(s)
    sep = seps[0]
    if len(seps) > 1:  # "1.000.000" / "1,000,000"
        return _float(s.replace(sep, ""))
    head, tail = s.split(sep)
    if len(tail) == 3 and not scaled:  # "100,000" / "900.000": thousands
        return _float(head + tail)
    return _float(head + "." + tail)


def _float(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


def parse_number_words(raw: str) -> float | None:
    """'vingt' -> 20, 'vingt-cinq' -> 25, 'a' -> 1, 'half' -> 0.5."""
    parts = re.split(r"[- ]+", raw.lower())
    if "half" in parts or "demi" in parts:
        return 0.5
    total = 0.0
    for part in parts:
        if part == "et":
            continue
        v = NUMBER_WORDS.get(part)
        if v is None:
            return None
        total = total * v if v == 100 and total else total + v
    return total or None


def _period_after(text: str, end: int) -> str | None:
    window = text[end : end + 80]
    m = _PERIOD_RE.search(window)
    if m:
        n = m.group("n")
        n_val = int(n) if n.isdigit() else int(NUMBER_WORDS.get(n.lower(), 0) or 0)
        unit = m.group("unit").lower()
        unit = "months" if unit in ("mois", "months") else "years"
        if n_val:
            return f"{n_val} {unit}"
    if _PER_YEAR_RE.match(window):
        return "per year"
    m = _UNTIL_RE.search(window)
    if m:
        return f"until {m.group('y')}"
    return None


_NEXT_WORD = re.compile(r"\s*(?:(?:de|d['’]|of)\s*)?([^\W\d_]+)")
_MONEY_FOLLOWERS = frozenset({
    "pour", "for", "in", "into", "to", "dans", "en", "de", "d", "of", "from", "auprès", "avec", "with",
    "et", "and", "au", "aux", "à", "sur", "over", "par", "lors", "at", "depuis", "supplémentaires",
    "additional", "new", "nouveaux", "frais", "fresh", "dollars", "euros", "financement", "funding",
    "investissement", "investment", "levés", "raised", "d'investissement", "round", "tour", "cette",
    "this", "ce", "the", "la", "le", "les", "a", "an", "un", "une",
})


_COMPOUND_ADJ = re.compile(r"[-‑–][^\W\d_]")


def _counts_things(text: str, end: int) -> bool:
    m = _NEXT_WORD.match(text, end, min(len(text), end + 40))
    return bool(m) and m.group(1).lower() not in _MONEY_FOLLOWERS


def find_amounts(text: str) -> list[Amount]:
    """All money amounts in `text`, in order. Never raises on any str."""
    out: list[Amount] = []
    for m in AMOUNT_RE.finditer(text):
        pre, suf = m.group("pre"), m.group("suf")
        scale_raw = m.group("scale") or m.group("wscale")
        if not (pre or suf or scale_raw):
            continue
        scale_key = (scale_raw or "").lower().rstrip(".")
        # single-letter scales only count when glued to a currency ("$400M", "€105m", "15 M€")
        if scale_key in ("m", "b", "k", "md", "cr") and not (pre or suf):
            continue
        if m.group("word") and m.group("word").lower() in ("a", "an", "un", "une") and scale_key in (
            "m", "b", "k"
        ):
            continue
        if not (pre or suf) and _counts_things(text, m.end()):
            continue  # "13 millions d'utilisateurs", "2 million users": a count, not money
        if not (pre or suf) and _COMPOUND_ADJ.match(text, m.end()):
            continue  # "a 70-billion-parameter model", "a 2-million-user app": a size, not money
        scale = SCALES.get(scale_key, 1.0)
        if m.group("num"):
            base = parse_number(m.group("num"), scaled=bool(scale_raw) and scale_key not in (
                "crore", "crores", "cr", "lakh", "lakhs"))
        else:
            base = parse_number_words(m.group("word"))
        if base is None:
            continue
        value = base * scale
        if value < 1000 and not scale_raw:
            continue  # "€5", "$3": prices, not funding
        currency = None
        if pre:
            currency = PREFIX_CURRENCIES.get(pre.lower())
        if suf and (currency is None or pre == "$"):
            currency = SUFFIX_CURRENCIES.get(re.sub(r"[\s\u00a0\u202f]+", " ", suf.lower()), currency)
        suf_norm = re.sub(r"[\s\u00a0\u202f]+", " ", suf.lower()) if suf else None
        explicit = currency is not None and (
            bool(suf_norm and suf_norm not in AMBIGUOUS_DOLLAR)
            or bool(pre and pre.lower() not in AMBIGUOUS_DOLLAR)
        )
        if currency is None:
            explicit = False
        before = text[max(0, m.start() - 25) : m.start()].lower()
        approx = bool(re.search(r"(près de|environ|quelque|about|around|nearly|almost|roughly|"
                                r"more than|over|plus de|up to|jusqu'à)\s*$", before))
        out.append(Amount(
            start=m.start(), end=m.end(), text=m.group(0), value=value, currency=currency,
            currency_explicit=explicit, approx=approx, period=_period_after(text, m.end()),
        ))
    return out
