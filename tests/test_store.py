"""The SQLite store: migrations, idempotent article storage, clear errors on bad files."""

from __future__ import annotations

import os
import sqlite3

import pytest

from db import articles
from db.migrations import migrations
from db.store import StoreError, open_db, resolve_path, schema_version


def test_migrations_applied_twice_are_a_noop(tmp_path):
    path = tmp_path / "fw.db"
    db = open_db(path)
    first = schema_version(db)
    tables = set(db.table_names())
    assert first == [m.name for m in migrations._migrations]
    assert {"sources", "articles", "events", "event_mentions", "organisations", "runs"} <= tables
    db2 = open_db(path)
    assert schema_version(db2) == first
    assert set(db2.table_names()) == tables
    assert db2.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reinserting_an_article_by_url_does_not_duplicate(tmp_path):
    db = open_db(tmp_path / "fw.db")
    item = {"url": "http://127.0.0.1:8000/a.html", "canonical_url": "https://news.example/a",
            "title": "A", "text": "Une start-up lève 2 millions d'euros.", "html": "<p>x</p>", "lang": "fr"}
    first = articles.save_article(db, item)
    again = articles.save_article(db, {**item, "url": "http://127.0.0.1:9999/a.html"})
    assert first.status == "stored"
    assert again.status == "unchanged" and again.article_id == first.article_id
    assert db["articles"].count == 1
    assert "http://127.0.0.1:9999/a.html" in articles.seen_urls(db)
    assert articles.article_html(db, first.article_id) == "<p>x</p>"


def test_changed_text_updates_and_same_text_elsewhere_is_an_alias(tmp_path):
    db = open_db(tmp_path / "fw.db")
    base = {"url": "https://news.example/a", "text": "Premier texte.", "html": "<p>1</p>"}
    a = articles.save_article(db, base)
    updated = articles.save_article(db, {**base, "text": "Texte corrigé."})
    alias = articles.save_article(db, {"url": "https://mirror.example/a", "text": "texte  corrigé."})
    assert updated.status == "updated" and updated.article_id == a.article_id
    assert alias.status == "alias" and alias.article_id == a.article_id
    assert db["articles"].count == 1
    assert db["article_aliases"].get("https://mirror.example/a")["article_id"] == a.article_id


def test_skip_reasons_count_attempts_and_clear_when_stored(tmp_path):
    db = open_db(tmp_path / "fw.db")
    for _ in range(2):
        articles.record_skip(db, "https://news.example/b", "http_status", detail="503")
    assert db["skipped_urls"].get("https://news.example/b")["attempts"] == 2
    articles.save_article(db, {"url": "https://news.example/b", "text": "Enfin."})
    assert db["skipped_urls"].count == 0


def test_default_path_comes_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("FUNDWATCH_DB", str(tmp_path / "env.db"))
    assert resolve_path(None) == tmp_path / "env.db"
    assert resolve_path(tmp_path / "x.db") == tmp_path / "x.db"


def test_corrupt_file_is_a_clear_error_and_untouched(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="cannot use"):
        open_db(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    open_db(path)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('fundwatch', 'm999_future', '2099-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer fundwatch"):
        open_db(path)


def test_read_only_file_is_refused_for_writing(tmp_path):
    path = tmp_path / "ro.db"
    open_db(path)
    path.chmod(0o444)
    try:
        if not os.access(path, os.W_OK):  # root may write anyway
            with pytest.raises(StoreError, match="read-only"):
                open_db(path)
        assert open_db(path, readonly=True)["articles"].count == 0
    finally:
        path.chmod(0o644)


def test_relative_paths_become_absolute(monkeypatch, tmp_path):
    """Crawls run in a subprocess in another folder: a relative --db must still name the same file."""
    monkeypatch.chdir(tmp_path)
    assert resolve_path("fw.db") == tmp_path / "fw.db"
    assert resolve_path("fw.db").is_absolute()


def test_runs_left_running_by_a_dead_process_are_closed(tmp_path):
    from db.runs import finish_run, mark_interrupted, start_run

    db = open_db(tmp_path / "fw.db")
    dead = start_run(db, "daily")
    done = start_run(db, "crawl")
    finish_run(db, done, report={"stored": 3})
    assert mark_interrupted(db) == 1
    assert db["runs"].get(dead)["status"] == "interrupted"
    assert db["runs"].get(done)["status"] == "completed" and db["runs"].get(done)["stored"] == 3
