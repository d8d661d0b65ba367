"""End to end: the demo pipeline over the bundled site, through the real CLI, twice."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from typer.testing import CliRunner

from db.store import open_db
from flows.cli import app

EXPECTED = json.loads((resources.files("flows") / "demo_site" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_db(demo_run):
    path, folder = demo_run["path"], demo_run["folder"]
    snapshot = _counts(path)
    second = CliRunner().invoke(app, demo_run["args"], env={"COLUMNS": "200"})
    assert second.exit_code == 0, second.output
    return {"path": path, "first": demo_run["output"], "second": second.output, "snapshot": snapshot,
            "folder": folder}


def _counts(path):
    db = open_db(path)
    return {t: db[t].count for t in ("articles", "events", "event_mentions", "organisations", "article_aliases")}


def _events(path):
    db = open_db(path)
    return list(db.query("SELECT * FROM events"))


def test_every_demo_article_is_stored_once(demo_db):
    db = open_db(demo_db["path"])
    canon = [r["canonical_url"] for r in db.query("SELECT canonical_url FROM articles")]
    assert len(canon) == len(set(canon)) == len(EXPECTED)
    assert all(c.startswith("https://") and "127.0.0.1" not in c for c in canon)
    assert not [r for r in db.query("SELECT url FROM articles") if "/private/" in r["url"]]


def test_second_demo_run_adds_nothing(demo_db):
    assert _counts(demo_db["path"]) == demo_db["snapshot"]
    runs = list(open_db(demo_db["path"]).query("SELECT * FROM runs WHERE kind = 'daily' ORDER BY id"))
    assert len(runs) == 2
    assert runs[1]["stored"] == 0 and runs[1]["events_new"] == 0
    assert runs[1]["fetched"] == 0, "the second run should not fetch pages it already stored"


def test_wallonia_programme_is_found(demo_db):
    events = _events(demo_db["path"])
    wallonia = [e for e in events if e["country"] == "BE" and e["currency"] == "EUR" and e["amount"] == 20_000_000]
    assert wallonia, [(e["recipient"], e["amount"], e["country"]) for e in events]
    assert wallonia[0]["kind"] == "public_program"
    assert "DigitalWallonia4.AI" in demo_db["first"] or "Wallonie" in demo_db["first"]


def test_teaser_amounts_are_not_events_of_their_article(demo_db):
    db = open_db(demo_db["path"])
    for path, truth in EXPECTED.items():
        teaser = set(truth.get("teaser_amounts") or [])
        true_amounts = {e["amount"] for e in truth.get("events") or []}
        rows = db.query(
            "SELECT m.amount FROM event_mentions m JOIN articles a ON a.id = m.article_id "
            "WHERE a.canonical_url LIKE ?", ["%" + path.split("/", 1)[-1]])
        found = {r["amount"] for r in rows}
        assert not (found & (teaser - true_amounts)), f"{path}: teaser amounts taken as events: {found & teaser}"


def test_same_round_in_two_languages_is_one_event(demo_db):
    db = open_db(demo_db["path"])
    pairs = [(p, t["same_event_as"]) for p, t in EXPECTED.items() if t.get("same_event_as")]
    assert pairs
    for a, b in pairs:
        ids = [
            {r["event_id"] for r in db.query(
                "SELECT m.event_id FROM event_mentions m JOIN articles a ON a.id = m.article_id "
                "WHERE a.canonical_url LIKE ?", ["%" + p.split("/", 1)[-1]])}
            for p in (a, b)
        ]
        assert ids[0] and ids[0] == ids[1], (a, b, ids)


def test_demo_prints_events_and_where_things_are(demo_db):
    text = demo_db["first"]
    assert "Funding events" in text and "Database:" in text and "Digest:" in text
    digests = list((demo_db["folder"] / "digests").glob("*.html"))
    assert digests and "<html" in digests[0].read_text(encoding="utf-8").lower()
