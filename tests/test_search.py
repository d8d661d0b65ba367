"""Search: every filter and their combinations, on the demo-site database and on sample rows.

Expected results are recomputed in Python from the unfiltered events, so each filter is checked
against an independent definition rather than hard-coded ids.
"""

from __future__ import annotations

import itertools
import json

import pytest
from event_samples import EVENTS, build_sample_db, event_ids
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from db.search import SearchError, fold, fts_query, refresh_search_index, search_events
from db.store import open_db
from flows.cli import app

REQUIRED_FIELDS = {"recipient", "amount", "currency", "amount_eur", "country", "region", "kind", "round",
                   "investors", "announced", "sources", "evidence"}
HOSTILE = ['"', '"; DROP TABLE events; --', "'; DROP TABLE events; --", "NEAR(", "*", "OR OR", "(", ")",
           "((a)", "a))", "AND", "NOT x", "x NOT", "-", "--", '"unclosed phrase', 'a"b"c', "^", ":", "{x}",
           "recipient:Mistral", "NEAR(a b, 3)", "a OR", "OR a", "\x00", "🙂", "% _ \\", "'", "e' OR '1'='1",
           "x" * 5000, "SELECT * FROM events", "events_fts MATCH", "*a*", "-a -b"]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "samples.db"
    build_sample_db(path)
    return open_db(path, readonly=True)


@pytest.fixture(scope="module")
def demo_db(demo_run):
    """The database `fundwatch demo` builds from the bundled site (real crawl, extraction and merge)."""
    db = open_db(demo_run["path"], readonly=True)
    assert db["events"].count >= 5, "the demo should yield several events to search"
    return db


def _day(ev):
    return (ev.get("announced") or ev.get("first_seen") or "")[:10]


def _names(ev):
    return [ev["recipient"] or "", *ev["investors"], *(o["name"] for o in ev["organisations"])]


def _words(text):
    return " ".join("".join(ch if ch.isalnum() else " " for ch in fold(text)).split())


def matches(ev, f):
    """Reference definition of each filter, in plain Python over a search result."""
    if "org" in f and not any(f" {_words(f['org'])} " in f" {_words(n)} " for n in _names(ev)):
        return False
    if "country" in f and (ev["country"] or "").upper() != f["country"].upper():
        return False
    if "region" in f and fold(ev["region"]) != fold(f["region"]) and \
            (ev["region_code"] or "").upper() != f["region"].upper():
        return False
    if "currency" in f and (ev["currency"] or "").upper() != f["currency"].upper():
        return False
    amount = ev["amount"] if "currency" in f else ev["amount_eur"]
    if "min_amount" in f and (amount is None or amount < f["min_amount"]):
        return False
    if "max_amount" in f and (amount is None or amount > f["max_amount"]):
        return False
    if "kind" in f and ev["kind"] != f["kind"]:
        return False
    if "round" in f and (ev["round"] or "").replace("-", "_") != f["round"].lower().replace(" ", "_").replace("-", "_"):
        return False
    if "lang" in f and f["lang"] not in {s["lang"] for s in ev["sources"]}:
        return False
    if "since" in f and _day(ev) < f["since"]:
        return False
    return not ("until" in f and _day(ev) > f["until"])


def _filter_cases(events):
    """One value per filter, taken from the data itself so each filter selects a proper subset."""
    def most_common(values):
        values = [v for v in values if v]
        return max(sorted(set(values)), key=values.count) if values else None

    amounts = sorted(e["amount_eur"] for e in events if e["amount_eur"] is not None)
    days = sorted(_day(e) for e in events if _day(e))
    with_investor = [e for e in events if e["investors"]]
    cases = {
        "country": most_common(e["country"] for e in events),
        "region": most_common(e["region"] for e in events),
        "kind": most_common(e["kind"] for e in events),
        "round": most_common(e["round"] for e in events),
        "lang": "fr",
        "currency": most_common(e["currency"] for e in events if e["currency"] != "EUR"),
        "min_amount": amounts[len(amounts) // 2],
        "max_amount": amounts[len(amounts) // 3],
        "since": days[len(days) // 3],
        "until": days[2 * len(days) // 3],
        "org": with_investor[0]["investors"][0] if with_investor else None,
    }
    return {k: v for k, v in cases.items() if v is not None}


def _check_filters(db, combos_of: int):
    everything = search_events(db, limit=10_000)
    assert len(everything) == db["events"].count
    cases = _filter_cases(everything)
    checked = 0
    for names in itertools.combinations(sorted(cases), combos_of):
        f = {n: cases[n] for n in names}
        if "min_amount" in f and "max_amount" in f and f["min_amount"] > f["max_amount"]:
            f["min_amount"], f["max_amount"] = f["max_amount"], f["min_amount"]
        got = search_events(db, **f, limit=10_000)
        want = {e["id"] for e in everything if matches(e, f)}
        assert event_ids(got) == want, f
        checked += bool(want)
    return checked


def test_each_filter_on_the_demo_database(demo_db):
    assert _check_filters(demo_db, 1) >= 8


def test_filter_pairs_and_triples_on_the_demo_database(demo_db):
    assert _check_filters(demo_db, 2) >= 10
    _check_filters(demo_db, 3)


def test_each_filter_and_pairs_on_sample_rows(sample_db):
    assert _check_filters(sample_db, 1) >= 8
    _check_filters(sample_db, 2)


def test_demo_full_text_is_accent_insensitive_in_french_and_english(demo_db):
    wallonia = search_events(demo_db, "wallonie")
    assert any(e["country"] == "BE" and e["amount"] == 20_000_000 for e in wallonia)
    assert {e["id"] for e in search_events(demo_db, "leve")} == {e["id"] for e in search_events(demo_db, "lève")}
    assert search_events(demo_db, "leve")
    assert search_events(demo_db, "series") and search_events(demo_db, "raises")


def test_full_text_on_sample_rows(sample_db):
    ids = lambda q: event_ids(search_events(sample_db, q))  # noqa: E731
    assert ids("levee") == ids("LEVÉE") == {"ev-mistral"}  # title "Levée de fonds record pour Mistral AI"
    assert ids("prete") == {"ev-pasqal"}  # "prête", accent folded
    assert ids("Belgique") == ids("Belgium") == ids("wallonie") == {"ev-wallonie"}  # country names, fr/en
    assert ids('"record round"') == {"ev-mistral"}
    assert ids("bpifrance OR quantix") == {"ev-mistral", "ev-nabla", "ev-quantix"}
    assert ids("bpifrance -nabla") == ids('bpifrance -"nabla"') == {"ev-mistral"}
    assert ids("(bpifrance OR eib) -(nabla OR aleph)") == {"ev-mistral"}
    assert ids("bpifrance OR eib -(nabla OR aleph)") == {"ev-mistral", "ev-nabla"}  # OR binds loosest
    assert ids("(eib OR bei) pasqal") == {"ev-pasqal"}
    assert ids("seed") == {"ev-deepcell"}
    assert ids("startup OR nonexistentword") == set()


def test_sort_and_limit(sample_db):
    by_amount = search_events(sample_db, sort="amount")
    eur = [e["amount_eur"] for e in by_amount]
    assert eur == sorted(eur, reverse=True)
    by_date = search_events(sample_db, sort="date")
    assert [e["announced"] for e in by_date] == sorted((e["announced"] for e in by_date), reverse=True)
    assert len(search_events(sample_db, limit=2)) == 2
    in_usd = search_events(sample_db, currency="USD", sort="amount")
    assert [e["amount"] for e in in_usd] == sorted((e["amount"] for e in in_usd), reverse=True)


def test_amounts_compare_in_eur_unless_currency_given(sample_db):
    # Nabla: 24 M USD = 22.3 M EUR; the threshold falls between the two figures.
    assert "ev-nabla" not in event_ids(search_events(sample_db, min_amount=23e6, max_amount=25e6))
    assert "ev-nabla" in event_ids(search_events(sample_db, min_amount=23e6, max_amount=25e6, currency="usd"))


def test_results_carry_the_contract_fields(sample_db):
    for ev in search_events(sample_db):
        assert ev.keys() >= REQUIRED_FIELDS
        assert isinstance(ev["investors"], list) and ev["sources"]
        for src in ev["sources"]:
            assert {"url", "title", "lang", "published"} <= src.keys()
    mistral = search_events(sample_db, "mistral")[0]
    assert [s["lang"] for s in mistral["sources"]] == ["fr", "en"]
    assert mistral["investors"] == ["Andreessen Horowitz", "Bpifrance"]
    assert "600 millions" in mistral["evidence"]


@pytest.mark.parametrize("kwargs, message", [
    ({"since": "last week"}, "YYYY-MM-DD"),
    ({"until": "2026-13-01"}, "YYYY-MM-DD"),
    ({"since": "2026-11-10", "until": "2026-11-01"}, "after"),
    ({"currency": "euros"}, "ISO 4217"),
    ({"min_amount": 10, "max_amount": 5}, "larger"),
    ({"min_amount": "lots"}, "number"),
    ({"country": "Atlantis"}, "unknown country"),
    ({"lang": "french!"}, "language code"),
    ({"sort": "name"}, "--sort"),
    ({"limit": 0}, "--limit"),
    ({"org": "  "}, "--org"),
])
def test_bad_filters_get_clear_errors(sample_db, kwargs, message):
    with pytest.raises(SearchError, match=message):
        search_events(sample_db, **kwargs)


def test_country_names_are_accepted(sample_db):
    assert event_ids(search_events(sample_db, country="Belgique")) == {"ev-wallonie"}
    assert event_ids(search_events(sample_db, country="gbr")) == {"ev-deepcell"}


def _dump(db):
    return "\n".join(db.conn.iterdump())


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_results_or_a_clear_error(tmp_path, query):
    db = build_sample_db(tmp_path / "h.db")
    before = _dump(db)
    try:
        result = search_events(db, query)
        assert isinstance(result, list)
    except SearchError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    for field in ("org", "region", "country", "kind", "round"):
        try:
            got = search_events(db, **{field: query})
            assert len(got) < len(EVENTS), f"{field}={query!r} must not match everything"
        except SearchError:
            pass
    assert _dump(db) == before
    assert db["events"].count == len(EVENTS)


def test_hostile_query_through_the_cli_is_a_one_line_error(tmp_path):
    path = tmp_path / "cli.db"
    before = _dump(build_sample_db(path))
    result = CliRunner().invoke(app, ["search", '"; DROP TABLE events; --', "--db", str(path)])
    assert result.exit_code == 2
    assert "unbalanced quote" in result.output and "Traceback" not in result.output
    ok = CliRunner().invoke(app, ["search", "wallonie", "--db", str(path), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert [e["recipient"] for e in json.loads(ok.output)] == ["DigitalWallonia4.AI"]
    ranked = CliRunner().invoke(app, ["search", "bpifrance", "--sort", "relevance", "--db", str(path), "-f", "json"])
    assert ranked.exit_code == 0, ranked.output
    assert [e["id"] for e in json.loads(ranked.output)] == [
        e["id"] for e in search_events(open_db(path, readonly=True), "bpifrance", sort="relevance")]
    from db.search import RELEVANCE_WINDOW

    assert f"{RELEVANCE_WINDOW:,}" in " ".join(CliRunner().invoke(app, ["search", "--help"]).output.split())
    assert _dump(open_db(path, readonly=True)) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('ab "()*-:^{}ORANDNEARé\'')), max_size=30))
def test_any_text_compiles_to_a_valid_fts_query_or_search_error(sample_db, text):
    try:
        fts_query(text)
    except SearchError:
        return
    search_events(sample_db, text)  # must not raise sqlite3 errors


def test_index_follows_writes_through_triggers(tmp_path):
    db = build_sample_db(tmp_path / "sync.db")
    db["events"].update("ev-quantix", {"recipient": "Quantix Robotics"})
    assert event_ids(search_events(db, "robotics")) == {"ev-quantix"}
    db.execute("DELETE FROM event_mentions WHERE event_id = 'ev-pasqal'")
    assert "ev-pasqal" not in event_ids(search_events(db, "prete"))
    db.execute("UPDATE articles SET title = 'Zyxwv headline' WHERE id = 7")
    assert event_ids(search_events(db, "zyxwv")) == {"ev-deepcell"}
    db["organisations"].update(5, {"name": "BPI France Investissement"})
    assert event_ids(search_events(db, "investissement")) >= {"ev-mistral", "ev-nabla"}
    db["events"].insert({"id": "ev-quantix", "recipient": "Quantix Replaced", "country": "US"}, replace=True)
    assert event_ids(search_events(db, "replaced")) == {"ev-quantix"}
    assert not search_events(db, "robotics")
    db.execute("DELETE FROM event_organisations WHERE event_id = 'ev-aleph'")
    db.execute("DELETE FROM event_mentions WHERE event_id = 'ev-aleph'")
    db.execute("DELETE FROM events WHERE id = 'ev-aleph'")
    assert not search_events(db, "aleph")
    indexed = list(db.query("SELECT * FROM event_search ORDER BY event_id"))
    assert refresh_search_index(db) == db["events"].count
    assert list(db.query("SELECT * FROM event_search ORDER BY event_id")) == indexed
    assert db.execute("SELECT count(*) FROM event_search_fts").fetchone()[0] == db["events"].count


def test_database_without_the_search_index_gets_a_clear_error(tmp_path):
    from sqlite_utils import Database

    from db.migrations import migrations

    old = Database(tmp_path / "old.db")
    migrations.apply(old, stop_before="m002_search_index")
    old["events"].insert({"id": "ev-old", "recipient": "Région wallonne", "country": "BE"})
    with pytest.raises(SearchError, match="no search index"):
        search_events(old, "wallonie")
    upgraded = open_db(tmp_path / "old.db")  # migrating indexes the rows already there
    assert [e["id"] for e in search_events(upgraded, "region wallonne")] == ["ev-old"]


QUERIES = [None, "millions OR million", "bpifrance", "mistral OR nabla", "levee", "startup OR nonexistentword"]
FILTERS = [{}, {"country": "FR"}, {"lang": "fr"}, {"since": "2026-11-01"}, {"region": "FR-IDF"},
           {"min_amount": 20e6}, {"org": "bpifrance"}, {"kind": "private_round", "lang": "en"}]


@pytest.mark.parametrize("which", ["sample", "demo"])
def test_common_word_plan_returns_the_same_pages(which, sample_db, demo_db, monkeypatch):
    """A word matching many events walks the sort order's index instead of sorting every match: with
    the threshold at 1 every text clause takes that plan, and every page must be the same, in order."""
    import db.search as search

    db = sample_db if which == "sample" else demo_db
    cases = [(q, f, sort, limit) for q in QUERIES for f in FILTERS for sort in ("date", "amount")
             for limit in (2, 50)]
    usual = [[e["id"] for e in search_events(db, q, sort=s, limit=n, **f)] for q, f, s, n in cases]
    monkeypatch.setattr(search, "_common_threshold", lambda _db, _limit: 1)
    walked = [[e["id"] for e in search_events(db, q, sort=s, limit=n, **f)] for q, f, s, n in cases]
    assert walked == usual
    assert sum(map(bool, usual)) >= len(cases) // 3, "the cases should mostly find events"


def test_relevance_ranks_the_newest_matches_and_all_when_filters_need_it(sample_db, monkeypatch):
    import db.search as search

    ranked = lambda **kw: [e["id"] for e in search_events(sample_db, "millions OR million", sort="relevance", **kw)]  # noqa: E731
    everything = ranked()
    assert set(everything) == {"ev-wallonie", "ev-mistral", "ev-quantix", "ev-aleph", "ev-pasqal", "ev-nabla"}
    monkeypatch.setattr(search, "RELEVANCE_WINDOW", 2)
    newest_two = ranked(limit=2)  # nabla and pasqal were recorded last
    assert set(newest_two) == {"ev-nabla", "ev-pasqal"}
    assert newest_two == [i for i in everything if i in newest_two], "same bm25 order as the full ranking"
    assert ranked() == everything, "a larger limit widens the window"
    assert ranked(country="BE", limit=2) == ["ev-wallonie"], "filters leaving too few: every match is ranked"
    assert ranked(country="FR", limit=2) == newest_two, "both are French: the window is enough"
    assert set(ranked(org="Bpifrance")) == {"ev-mistral", "ev-nabla"}, "--org is matched with the query"
