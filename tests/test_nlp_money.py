"""The amount parser (nlp.money): every written form the issue lists, and robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.money import find_amounts, parse_number

FORMS = [
    ("La société a levé 20 millions d'euros hier.", 20e6, "EUR"),
    ("Elle obtient 1,5 milliard de dollars.", 1.5e9, "USD"),
    ("Un tour de 15 M€ mené par Partech.", 15e6, "EUR"),
    ("Le plan est doté de 2,3 Md€.", 2.3e9, "EUR"),
    ("Une subvention de 100 000 euros.", 100_000, "EUR"),
    ("Une enveloppe de vingt millions d'euros.", 20e6, "EUR"),
    ("The company raised $6.6 billion.", 6.6e9, "USD"),
    ("It closed a $400M round.", 400e6, "USD"),
    ("The startup bagged €105m in seed money.", 105e6, "EUR"),
    ("A £2.5 million grant from Innovate UK.", 2.5e6, "GBP"),
    ("It secured US$50 million from investors.", 50e6, "USD"),
    ("The lab raised 1.3bn in total.", 1.3e9, None),
    ("The institute receives CHF 20 million.", 20e6, "CHF"),
    ("La jeune pousse a réuni près de 385 millions.", 385e6, None),
    ("Ils ont levé 1 200 000 €.", 1.2e6, "EUR"),
    ("We raised $1,200,000 last week.", 1.2e6, "USD"),
    ("Québec investit 25 millions $ US dans la firme.", 25e6, "USD"),
    ("La firme amasse 200 M$.", 200e6, "USD"),
    ("An outlay of Rs 10,372 crore.", 1.0372e11, "INR"),
    ("A 126.5bn won acquisition.", 126.5e9, "KRW"),
    ("Le fonds pèse 40 millions de francs suisses.", 40e6, "CHF"),
    ("They raised half a billion dollars.", 0.5e9, "USD"),
    ("Un demi-milliard d'euros sera investi.", 0.5e9, "EUR"),
    ("La Région accorde 900.000 euros.", 900_000, "EUR"),
    ("A C$240 million commitment.", 240e6, "CAD"),
    ("The plan commits S$1 billion.", 1e9, "SGD"),
]


@pytest.mark.parametrize(("text", "value", "currency"), FORMS)
def test_amount_forms(text, value, currency):
    amounts = find_amounts(text)
    assert len(amounts) == 1, amounts
    a = amounts[0]
    assert a.value == pytest.approx(value)
    assert a.currency == currency
    assert text[a.start : a.end] == a.text


def test_equivalent_amounts_are_both_found_in_order():
    amounts = find_amounts("Mistral a levé 600 millions d'euros (645 millions de dollars).")
    assert [(a.value, a.currency) for a in amounts] == [(600e6, "EUR"), (645e6, "USD")]


def test_bare_dollar_is_marked_ambiguous_but_us_dollar_is_not():
    bare, us = find_amounts("It raised $5 million, or US$5 million.")
    assert bare.currency == "USD" and not bare.currency_explicit
    assert us.currency == "USD" and us.currency_explicit


def test_approximate_and_period_are_noted():
    (a,) = find_amounts("La région va investir près de 30 millions d'euros étalés sur 3 ans.")
    assert a.approx
    assert a.period == "3 years"
    (b,) = find_amounts("The government will invest £50 million over the next five years.")
    assert b.period == "5 years"


@pytest.mark.parametrize(
    "text",
    [
        "En 2023, 100 employés ont rejoint l'entreprise.",
        "The app has 13 million users and 2,5 millions de modèles.",
        "Le café coûte 5 €.",
        "Nous avons 2 M d'abonnés.",
        "Elle compte 13 millions d'utilisateurs.",
    ],
)
def test_counts_years_and_prices_are_not_amounts(text):
    assert find_amounts(text) == []


@pytest.mark.parametrize(
    ("raw", "scaled", "expected"),
    [("1,5", True, 1.5), ("100 000", False, 100000), ("1.300,5", False, 1300.5), ("1,300.5", False, 1300.5),
     ("900.000", False, 900000), ("6.6", True, 6.6), ("10,372", False, 10372)],
)
def test_parse_number_separators(raw, scaled, expected):
    assert parse_number(raw, scaled=scaled) == pytest.approx(expected)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_parser_never_crashes_on_arbitrary_text(text):
    for a in find_amounts(text):
        assert a.value >= 0
        assert 0 <= a.start < a.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["1", "2,5", "000", " ", ".", ",", "$", "€", "M", "millions", "d'euros",
                                 "de", "bn", "US$", "CHF", "vingt", "k", "\u00a0", "£"]), max_size=60))
def test_parser_never_crashes_on_money_like_noise(parts):
    text = "".join(parts)
    for a in find_amounts(text):
        assert a.value == a.value  # not NaN
        assert text[a.start : a.end] == a.text


@pytest.mark.parametrize("text", ["7" * 1_000_000, "$€£¥" * 250_000, ("1 000 " * 150_000), "€ " * 400_000])
def test_pathological_inputs_finish(text):
    # Linear regexes: these megabyte inputs finish in well under a second each (no backtracking).
    amounts = find_amounts(text)
    assert isinstance(amounts, list)
