"""nlp.dedup: which mentions are one funding event (pure unit tests, no model, no database)."""

from __future__ import annotations

import pytest

from nlp.currency import to_eur
from nlp.dedup import (
    Report,
    assign_event_ids,
    event_key,
    match_cluster,
    normalise_name,
    same_event,
    same_recipient,
)
from nlp.types import Mention


def mention(recipient, amount, currency, published=None, round=None):
    return Mention(recipient=recipient, amount=amount, currency=currency, round=round, published=published,
                   amount_eur=to_eur(amount, currency, published))


@pytest.mark.parametrize(("raw", "norm"), [
    ("Mistral AI SAS", "mistral ai"),
    ("  Hugging Face, Inc. ", "hugging face"),
    ("Société Générale", "societe generale"),
    ("BEI", "european investment bank"),
    ("Banque européenne d'investissement", "european investment bank"),
    ("EIB", "european investment bank"),
    ("The Foundry Ltd", "foundry"),
])
def test_normalise_name(raw, norm):
    assert normalise_name(raw) == norm


@pytest.mark.parametrize(("a", "b"), [
    ("Mistral", "Mistral AI"),
    ("BEI", "European Investment Bank"),
    ("HuggingFace", "Hugging Face"),
    ("Swiss National AI Institute (SNAI)", "SNAI"),
    ("Wayve", "Wayve Technologies Ltd"),
    ("Pasqal SAS", "PASQAL"),
    ("Owkin", "Owkín"),
])
def test_same_recipient_across_spellings_and_languages(a, b):
    same, why = same_recipient(a, b)
    assert same, why
    assert why


@pytest.mark.parametrize(("a", "b"), [
    ("AI", "Element AI"),  # a generic word alone identifies nobody
    ("Mistral AI", "Hugging Face"),
    ("Pasqal", "Pigment"),
    ("Data France", "France Travail"),
    (None, "Mistral AI"),
])
def test_different_recipients(a, b):
    assert not same_recipient(a, b)[0]


def test_french_and_english_reports_of_one_round_merge_with_a_reason():
    fr = mention("Mistral AI", 385e6, "EUR", "2023-12-11")
    en = mention("Mistral", 415e6, "USD", "2023-12-10")
    same, reason = same_event(fr, en)
    assert same
    assert "EUR" in reason and "USD" in reason and "days apart" in reason


def test_amount_far_apart_keeps_events_apart():
    same, reason = same_event(mention("Pasqal", 100e6, "EUR", "2024-01-10"),
                              mention("Pasqal", 25e6, "EUR", "2024-01-12"))
    assert not same
    assert "amounts far apart" in reason


def test_different_round_labels_keep_events_apart():
    same, reason = same_event(mention("Acme Robotics", 10e6, "EUR", None, "seed"),
                              mention("Acme Robotics", 10.5e6, "EUR", "2024-06-20", "series_a"))
    assert not same and "different rounds" in reason
    same, reason = same_event(mention("Acme Robotics", 10e6, "EUR", "2024-06-01", "seed"),
                              mention("Acme Robotics", 10.8e6, "EUR", "2024-06-20", "series_a"))
    assert not same and "different rounds" in reason


def test_one_mislabelled_round_still_merges_when_amount_and_date_agree():
    """One outlet's round label can be wrong ("ce tour de série A ... le tour d'amorçage")."""
    same, reason = same_event(mention("Acme Robotics", 15e6, "EUR", "2024-06-01", "seed"),
                              mention("Acme Robotics", 15e6, "EUR", "2024-06-02", "series_a"))
    assert same and "round labels differ" in reason


def test_dates_outside_window_keep_events_apart():
    same, reason = same_event(mention("Acme", 10e6, "EUR", "2024-01-01"), mention("Acme", 10e6, "EUR", "2024-09-01"))
    assert not same and "window" in reason


def test_unknown_date_does_not_block_a_merge():
    same, reason = same_event(mention("Acme", 10e6, "EUR", None), mention("Acme", 10e6, "EUR", "2024-09-01"))
    assert same and "date unknown" in reason


def test_missing_amount_needs_round_and_date():
    a = mention("Acme", None, None, "2024-06-01", "seed")
    assert not same_event(a, mention("Acme", None, None, "2024-06-03"))[0]
    assert same_event(a, mention("Acme", None, None, "2024-06-03", "seed"))[0]


def test_assign_event_ids_groups_reports_and_separates_rounds():
    items = [
        mention("Mistral AI", 105e6, "EUR", "2023-06-13", "seed"),
        mention("Mistral AI", 600e6, "EUR", "2024-06-11", "series_b"),
        mention("Mistral", 113e6, "USD", "2023-06-14"),
        mention("Mistral AI", 645e6, "USD", "2024-06-12"),
        mention("Pasqal", 100e6, "EUR", "2023-06-14"),
    ]
    ids = assign_event_ids(items)
    assert ids[0] == ids[2]
    assert ids[1] == ids[3]
    assert len({ids[0], ids[1], ids[4]}) == 3
    assert assign_event_ids(items) == ids  # deterministic: same batch, same ids


def test_no_chaining_across_a_contradiction():
    """B matches A and C matches B, but C contradicts A's amount: C must not join A's event."""
    a = mention("Acme", 10e6, "EUR", "2024-01-01")
    b = mention("Acme", 10.8e6, "EUR", "2024-01-02")
    c = mention("Acme", 11.7e6, "EUR", "2024-01-03")
    ids = assign_event_ids([a, b, c])
    assert ids[0] == ids[1]
    assert ids[2] != ids[0]


def test_match_cluster_prefers_the_closest_amount():
    clusters = [[mention("Acme", 10e6, "EUR", "2024-01-01")], [mention("Acme", 10.9e6, "EUR", "2024-01-01")]]
    assert match_cluster(mention("Acme", 10.85e6, "EUR", "2024-01-02"), clusters).index == 1
    assert match_cluster(mention("Other", 10e6, "EUR", "2024-01-02"), clusters).index is None


def test_event_key_is_stable_and_distinguishes_rounds():
    a = mention("Mistral AI", 105e6, "EUR", "2023-06-13")
    assert event_key(a) == event_key(mention("Mistral AI SAS", 105e6, "EUR", "2023-06-20"))
    assert event_key(a) != event_key(mention("Mistral AI", 600e6, "EUR", "2024-06-11"))
    assert event_key(a).startswith("ev_")


def reported(recipient, amount, currency, published, evidence, context=""):
    return Report.of(Mention(recipient=recipient, amount=amount, currency=currency, published=published,
                             amount_eur=to_eur(amount, currency, published), evidence=evidence), context)


def test_wrong_recipient_is_forgiven_when_the_other_report_names_the_right_one():
    a = reported("Mistral AI", 105e6, "EUR", "2023-06-13", "Mistral AI has raised €105 million.")
    b = reported("DeepMind", 105e6, "EUR", "2023-06-14",
                 "Mistral AI, a startup from former DeepMind researchers, has raised €105 million.")
    same, reason = same_event(a, b)
    assert same and "named in the other report's evidence" in reason
    # the article around the evidence counts too
    c = reported("Bien sûr", 105e6, "EUR", None, "Bien sûr, elle a obtenu 105 millions d'euros.",
                 context="La start-up Mistral AI a été fondée il y a un mois. Bien sûr, elle a obtenu...")
    same, reason = same_event(a, c)
    assert same and "named in the other report's article" in reason


def test_named_in_report_needs_close_amounts_and_a_distinctive_name():
    a = reported("Mistral AI", 105e6, "EUR", "2023-06-13", "Mistral AI has raised €105 million.")
    far = reported("OpenAI", 112e6, "EUR", "2023-06-14", "Mistral AI, the OpenAI rival, has raised €112 million.")
    assert not same_event(a, far)[0]  # 6 % apart: too far when the recipients disagree
    gov_a = reported("Gouvernement", 20e6, "EUR", None, "Le gouvernement débloque 20 millions d'euros.")
    gov_b = reported("Région Wallonne", 20e6, "EUR", None, "La région finance Datalume à hauteur de 20 M€.",
                     context="Selon le gouvernement, le plan est ambitieux.")
    assert not same_event(gov_a, gov_b)[0]


def test_different_companies_with_the_same_amount_stay_apart():
    a = reported("Pasqal", 20e6, "EUR", "2024-01-10", "Pasqal raised €20 million.", "Pasqal raised €20 million.")
    b = reported("Pigment", 20e6, "EUR", "2024-01-11", "Pigment raised €20 million.", "Pigment raised €20 million.")
    assert assign_event_ids([a, b])[0] != assign_event_ids([a, b])[1]


def test_generic_recipient_names_need_close_amounts():
    a = mention("Gouvernement", 20e6, "EUR", None)
    assert not same_event(a, mention("Gouvernement", 21.5e6, "EUR", None))[0]  # 7 % apart
    same, reason = same_event(a, mention("Le gouvernement", 20e6, "EUR", None))
    assert same and "generic name" in reason
