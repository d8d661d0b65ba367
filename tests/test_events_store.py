"""Merging hand-made mentions into a real SQLite file: organisations, roles, aliases, aggregates.

No model here: these tests pin the storage and merge rules whatever the extractor finds.
"""

from __future__ import annotations

import json

import pytest

from db.articles import save_article
from db.store import open_db
from flows.process import merge_mention, sync_event
from nlp.currency import to_eur
from nlp.types import Mention


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "fundwatch.db")


def article(db, n: int, lang: str, published: str, text: str) -> dict:
    art_id = save_article(db, {"url": f"https://news.example.com/{n}", "text": text, "lang": lang,
                               "published": published}).article_id
    return {"id": art_id, "published": published, "title": None, "text": text, "lang": lang}


def mention(recipient, amount, currency, day, evidence, investors=(), leads=(), round=None) -> Mention:
    return Mention(recipient=recipient, amount=amount, currency=currency, amount_eur=to_eur(amount, currency, day),
                   investors=list(investors), lead_investors=list(leads), evidence=evidence, start=0,
                   end=len(evidence), published=day, round=round, country="FR", kind="private_round")


def add(db, art, m):
    event_id, is_new, stored = merge_mention(db, art, m, "test-1")
    sync_event(db, event_id)
    return event_id, is_new, stored


def orgs(db, event_id):
    return set(db.execute(
        "SELECT role, o.name FROM event_organisations JOIN organisations o ON o.id = org_id WHERE event_id = ?",
        [event_id]).fetchall())


def test_aliases_roles_and_aggregates(db):
    fr_text = "Pasqal lève 100 millions d'euros auprès de la BEI et de Bpifrance."
    en_text = "Pasqal SAS raised $108 million led by the EIB, with Bpifrance."
    fr = article(db, 1, "fr", "2024-01-10", fr_text)
    en = article(db, 2, "en", "2024-01-12", en_text)
    ev1, new1, _ = add(db, fr, mention("Pasqal", 100e6, "EUR", "2024-01-10", fr_text, ["BEI", "Bpifrance"]))
    ev2, new2, _ = add(db, en, mention("Pasqal SAS", 108e6, "USD", "2024-01-12", en_text, ["Bpifrance"], ["EIB"]))
    assert ev1 == ev2 and new1 and not new2
    event = db["events"].get(ev1)
    assert (event["n_sources"], event["announced"], json.loads(event["langs"])) == (2, "2024-01-10", ["en", "fr"])
    assert (event["recipient"], event["amount"], event["currency"], event["amount_eur"]) == (
        "Pasqal", 100e6, "EUR", 100e6)
    assert orgs(db, ev1) == {("recipient", "Pasqal"), ("investor", "European Investment Bank"),
                             ("lead", "European Investment Bank"), ("investor", "Bpifrance")}
    eib = db.execute("SELECT aliases FROM organisations WHERE norm = 'european investment bank'").fetchone()[0]
    assert {"BEI", "EIB"} <= set(json.loads(eib))
    pasqal = db.execute("SELECT aliases FROM organisations WHERE name = 'Pasqal'").fetchone()[0]
    assert set(json.loads(pasqal)) == {"Pasqal", "Pasqal SAS"}
    assert db.execute("SELECT count(*) FROM organisations").fetchone()[0] == 3


def test_wrong_recipient_merged_by_evidence_is_not_an_alias(db):
    a_text = "Mistral AI raised €105 million in a seed round."
    b_text = "Mistral AI, founded by former DeepMind researchers, has raised €105 million."
    a = article(db, 1, "en", "2023-06-13", a_text)
    b = article(db, 2, "en", "2023-06-14", b_text)
    c = article(db, 3, "en", "2023-06-15", "Mistral AI lands €105m.")
    ev, _, _ = add(db, b, mention("DeepMind", 105e6, "EUR", "2023-06-14", b_text))
    assert add(db, a, mention("Mistral AI", 105e6, "EUR", "2023-06-13", a_text))[0] == ev
    assert add(db, c, mention("Mistral", 105e6, "EUR", "2023-06-15", "Mistral AI lands €105m."))[0] == ev
    reasons = [r[0] for r in db.execute("SELECT merge_reason FROM event_mentions ORDER BY id")]
    assert reasons[0] == "new event" and "named in the other report" in reasons[1]
    event = db["events"].get(ev)
    assert event["recipient"] == "Mistral AI"  # two reports out of three agree
    assert ("recipient", "Mistral AI") in orgs(db, ev)
    assert ("recipient", "DeepMind") not in orgs(db, ev)
    aliases = db.execute("SELECT aliases FROM organisations WHERE name = 'Mistral AI'").fetchone()[0]
    assert set(json.loads(aliases)) == {"Mistral AI", "Mistral"}


def test_same_article_same_mention_is_stored_once(db):
    text = "Pasqal lève 100 millions d'euros."
    art = article(db, 1, "fr", "2024-01-10", text)
    first = add(db, art, mention("Pasqal", 100e6, "EUR", "2024-01-10", text))
    again = add(db, art, mention("Pasqal", 100e6, "EUR", "2024-01-10", text))
    assert first[2] and not again[2] and first[0] == again[0]
    assert db["events"].get(first[0])["n_sources"] == 1
    assert db.execute("SELECT count(*) FROM event_mentions").fetchone()[0] == 1


def test_event_without_mentions_is_removed(db):
    text = "Pasqal lève 100 millions d'euros."
    art = article(db, 1, "fr", "2024-01-10", text)
    ev, _, _ = add(db, art, mention("Pasqal", 100e6, "EUR", "2024-01-10", text, ["Bpifrance"]))
    db.execute("DELETE FROM event_mentions")
    assert sync_event(db, ev) is False
    assert db["events"].count == 0 and db["event_organisations"].count == 0


def test_two_rounds_share_one_organisation_under_two_spellings(db):
    seed_text = "Mistral AI lève 105 millions d'euros en seed."
    b_text = "Mistral raises €385 million in its Series A."
    seed = article(db, 1, "fr", "2023-06-13", seed_text)
    series_a = article(db, 2, "en", "2023-12-11", b_text)
    ev1, _, _ = add(db, seed, mention("Mistral AI", 105e6, "EUR", "2023-06-13", seed_text, round="seed"))
    ev2, new, _ = add(db, series_a, mention("Mistral", 385e6, "EUR", "2023-12-11", b_text, round="series_a"))
    assert new and ev1 != ev2
    assert db["events"].get(ev1)["recipient_org_id"] == db["events"].get(ev2)["recipient_org_id"]
    assert db.execute("SELECT count(*) FROM organisations").fetchone()[0] == 1


def test_undated_article_is_compared_without_its_crawl_day(db):
    """An article without a publication date (fetched years later) still joins its event."""
    text = "Owkin lève 180 millions de dollars auprès de Sanofi."
    dated = article(db, 1, "fr", "2021-11-18", text)
    undated = article(db, 2, "fr", None, text + " La biotech parisienne accélère.")
    ev, _, _ = add(db, dated, mention("Owkin", 180e6, "USD", "2021-11-18", text))
    m = mention("Owkin", 180e6, "USD", None, text)
    assert add(db, undated, m)[0] == ev
    event = db["events"].get(ev)
    assert event["n_sources"] == 2 and event["announced"] == "2021-11-18"
    assert "date unknown" in db.execute("SELECT merge_reason FROM event_mentions WHERE article_id = ?",
                                        [undated["id"]]).fetchone()[0]
