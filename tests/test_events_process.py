"""Events in the database: `process` merges reports across outlets and languages, keeps rounds apart,
is idempotent, and `reprocess` rebuilds from stored HTML without losing event ids.

Real parts: a SQLite file in tmp_path, the real spaCy extractor (models loaded once per session).
"""

from __future__ import annotations

import html as htmllib
import json

import pytest

from db.articles import save_article
from db.store import open_db
from flows.process import process_articles, reprocess_articles
from nlp.dedup import normalise_name

FR_ROUND = (
    "La start-up parisienne Lumorix lève 15 millions d'euros pour son IA de diagnostic",
    "La start-up parisienne Lumorix, qui développe une intelligence artificielle d'aide au diagnostic "
    "médical, lève 15 millions d'euros auprès de Bpifrance et du fonds Partech. Cette levée de fonds "
    "doit permettre à la jeune pousse de recruter quarante ingénieurs en apprentissage automatique et "
    "d'ouvrir un bureau à Berlin l'an prochain. Fondée en 2021, Lumorix compte déjà trente hôpitaux "
    "clients en France et en Belgique. Ses modèles d'intelligence artificielle analysent les images "
    "médicales en quelques secondes.",
)
EN_ROUND = (
    "Paris-based Lumorix raises $16 million for its AI diagnosis platform",
    "Lumorix, a Paris-based startup building artificial intelligence for medical diagnosis, has raised "
    "$16 million from Bpifrance and Partech. The company will use the funding to hire forty machine "
    "learning engineers and open an office in Berlin next year. Founded in 2021, Lumorix already works "
    "with thirty hospitals in France and Belgium, and its AI models read medical images in seconds.",
)
SERIES_A = (
    "Lumorix raises €60 million Series A to take its medical AI to the US",
    "Lumorix, the Paris-based artificial intelligence startup, has raised €60 million in a Series A round "
    "led by Index Ventures. The funding will take its AI diagnosis models to American hospitals. "
    "The company now works with more than one hundred hospitals and plans to double its machine learning "
    "team by the end of next year, its chief executive said on Tuesday.",
)
NEGATIVE = (
    "Les hôpitaux testent l'intelligence artificielle",
    "Plusieurs hôpitaux français testent des outils d'intelligence artificielle pour lire les radiographies. "
    "Les médecins saluent un gain de temps mais demandent davantage de transparence sur les modèles. "
    "Aucune décision de généralisation n'a encore été prise par le ministère de la Santé cette année.",
)

EVENT_TABLES = ("events", "event_mentions", "organisations", "event_organisations")


def page(title: str, body: str) -> str:
    """A news page with navigation and a footer around the body, as the crawler stores it."""
    return (f"<html><head><title>{htmllib.escape(title)}</title></head><body>"
            f"<nav><a href='/'>Accueil</a> <a href='/tech'>Tech</a></nav>"
            f"<article><h1>{htmllib.escape(title)}</h1><p>{htmllib.escape(body)}</p></article>"
            f"<footer>© 2024 Example Media. Tous droits réservés.</footer></body></html>")


def store(db, slug: str, article: tuple[str, str], published: str, lang: str, text: str | None = None) -> int:
    title, body = article
    return save_article(db, {
        "url": f"https://news.example.com/{slug}", "title": title, "published": published, "lang": lang,
        "text": body if text is None else text, "html": page(title, body),
    }).article_id


def dump(db) -> dict[str, list]:
    return {t: [tuple(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3")] for t in EVENT_TABLES}


@pytest.fixture(scope="session")
def extractor():
    """The real extractor, models loaded once for the whole session."""
    from nlp import extract
    from nlp.types import ArticleIn

    list(extract.analyse([ArticleIn(id="warm-fr", text=FR_ROUND[1], lang="fr"),
                          ArticleIn(id="warm-en", text=EN_ROUND[1], lang="en")]))
    return extract


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "fundwatch.db")


def events_of(db) -> list[dict]:
    return list(db["events"].rows_where(order_by="announced"))


def test_two_languages_one_event(db, extractor):
    fr = store(db, "fr-lumorix", FR_ROUND, "2024-03-04", "fr")
    en = store(db, "en-lumorix", EN_ROUND, "2024-03-06", "en")
    store(db, "fr-hopitaux", NEGATIVE, "2024-03-05", "fr")
    counts = process_articles(db, batch_size=2)

    assert counts["processed"] == 3
    assert counts["skipped"] == {"not_relevant": 1}
    assert counts["events_new"] == 1 and counts["events_merged"] == 1
    [event] = events_of(db)
    assert event["n_sources"] == 2
    assert json.loads(event["langs"]) == ["en", "fr"]
    assert event["amount"] == 15e6 and event["currency"] == "EUR" and event["amount_eur"] == 15e6
    assert event["announced"] == "2024-03-04"
    mentions = {m["article_id"]: m for m in db["event_mentions"].rows}
    assert set(mentions) == {fr, en}
    assert mentions[en]["currency"] == "USD" and 13e6 < mentions[en]["amount_eur"] < 16e6
    assert mentions[fr]["merge_reason"] == "new event"
    assert "USD" in mentions[en]["merge_reason"] and "days apart" in mentions[en]["merge_reason"]
    assert mentions[en]["extractor_version"] == extractor.EXTRACTOR_VERSION
    for article_id, (title, body) in ((fr, FR_ROUND), (en, EN_ROUND)):
        m = mentions[article_id]
        assert m["evidence"] and m["evidence"] in f"{title}\n\n{body}"  # the extractor reads title + body
        if m["evidence"] in body:  # offsets point into the stored text
            assert body[m["start"]:m["end"]] == m["evidence"]
    roles = set(db.execute(
        "SELECT role, norm FROM event_organisations JOIN organisations ON id = org_id").fetchall())
    assert ("recipient", "lumorix") in roles
    reported = {normalise_name(n) for m in mentions.values() for n in json.loads(m["investors"])}
    assert {norm for role, norm in roles if role == "investor"} == reported


def test_same_company_two_rounds_two_events(db, extractor):
    store(db, "fr-lumorix", FR_ROUND, "2024-03-04", "fr")
    store(db, "en-lumorix-a", SERIES_A, "2025-02-11", "en")
    process_articles(db)
    events = events_of(db)
    assert [(e["amount"], e["currency"], e["n_sources"]) for e in events] == [(15e6, "EUR", 1), (60e6, "EUR", 1)]
    assert events[0]["id"] != events[1]["id"]
    # both rounds belong to one organisation
    assert events[0]["recipient_org_id"] == events[1]["recipient_org_id"]


def test_incremental_merge_and_process_twice_changes_nothing(db, extractor):
    store(db, "fr-lumorix", FR_ROUND, "2024-03-04", "fr")
    first = process_articles(db)
    [event] = events_of(db)
    store(db, "en-lumorix", EN_ROUND, "2024-03-06", "en")  # the next day's crawl
    second = process_articles(db)
    assert first["events_new"] == 1 and second["events_new"] == 0 and second["events_merged"] == 1
    [merged] = events_of(db)
    assert merged["id"] == event["id"] and merged["n_sources"] == 2
    before = dump(db)
    again = process_articles(db)
    assert again["processed"] == 0 and again["mentions"] == 0
    assert dump(db) == before


def test_reprocess_after_version_change_keeps_ids_and_reads_stored_html(db, extractor, monkeypatch):
    store(db, "fr-lumorix", FR_ROUND, "2024-03-04", "fr")
    store(db, "en-lumorix", EN_ROUND, "2024-03-06", "en")
    # this article's text was stored truncated (an older body extractor); its HTML is complete
    late = store(db, "en-lumorix-a", SERIES_A, "2025-02-11", "en", text=SERIES_A[1].split(",")[0])
    process_articles(db)
    ids_before = {e["id"]: e for e in events_of(db)}
    assert len(ids_before) == 1  # the truncated article had nothing to extract
    assert db["articles"].get(late)["status"] == "skipped"

    assert reprocess_articles(db)["processed"] == 0  # same extractor version: nothing to do

    monkeypatch.setattr(extractor, "EXTRACTOR_VERSION", extractor.EXTRACTOR_VERSION + "+next")
    counts = reprocess_articles(db)
    assert counts["processed"] == 3
    events = {e["id"]: e for e in events_of(db)}
    assert set(ids_before) < set(events)  # the old event kept its id, the HTML revealed the Series A
    old_id = next(iter(ids_before))
    assert events[old_id]["n_sources"] == 2 and events[old_id]["first_seen"] == ids_before[old_id]["first_seen"]
    assert len(events) == 2
    versions = {r[0] for r in db.execute("SELECT DISTINCT extractor_version FROM event_mentions")}
    assert versions == {extractor.EXTRACTOR_VERSION}
    assert db.execute("SELECT count(*) FROM event_mentions").fetchone()[0] == 3
    assert "Series A" in db["articles"].get(late)["text"]

    before = dump(db)
    counts = reprocess_articles(db, force=True)  # everything again: nothing lost, nothing duplicated
    assert counts["processed"] == 3
    after = dump(db)
    assert [r[0] for r in after["events"]] == [r[0] for r in before["events"]]
    assert len(after["event_mentions"]) == len(before["event_mentions"])
    assert after["organisations"] == before["organisations"]
    assert after["event_organisations"] == before["event_organisations"]


def test_interrupted_run_loses_and_duplicates_nothing(db, extractor):
    store(db, "fr-lumorix", FR_ROUND, "2024-03-04", "fr")
    store(db, "en-lumorix", EN_ROUND, "2024-03-06", "en")
    store(db, "en-lumorix-a", SERIES_A, "2025-02-11", "en")

    class Stop(Exception):
        pass

    def stop_after_first(n):
        raise Stop  # the first article is committed, then the run dies

    with pytest.raises(Stop):
        process_articles(db, batch_size=1, progress=stop_after_first)
    statuses = [r[0] for r in db.execute("SELECT status FROM articles ORDER BY id")]
    assert statuses == ["processed", "new", "new"]
    assert db.execute("SELECT count(*) FROM event_mentions").fetchone()[0] == 1

    counts = process_articles(db)
    assert counts["processed"] == 2
    assert db.execute("SELECT count(*) FROM event_mentions").fetchone()[0] == 3
    assert sorted(e["n_sources"] for e in events_of(db)) == [1, 2]
