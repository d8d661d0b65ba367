"""The command-line contract: every command explains itself and fails clearly on bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()

COMMANDS = {
    "crawl": ["--sources", "--url", "--refetch", "--db"],
    "articles": ["--format", "--db"],
    "extract": ["--input", "--output"],
    "process": ["--db"],
    "reprocess": ["--db"],
    "search": ["--org", "--region", "--country", "--min-amount", "--max-amount", "--currency", "--kind",
               "--round", "--lang", "--since", "--until", "--sort", "--limit", "--format", "--db"],
    "digest": ["--since", "--until", "--period", "--format", "--output", "--db"],
    "run": ["--sources", "--db"],
    "runs": ["--db"],
    "schedule": ["--cron", "--timezone", "--db"],
    "ui": ["--port", "--db"],
    "demo": ["--db"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_naming_its_options(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in COMMANDS[command]:
        assert option in result.output, f"{command} --help does not mention {option}"


def test_top_level_help_lists_commands():
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_articles_on_a_missing_database_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["articles", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 2
    assert "no database" in result.output
    assert "Traceback" not in result.output


def test_articles_jsonl_lists_stored_articles(tmp_path):
    from db.articles import save_article
    from db.store import open_db

    path = tmp_path / "fw.db"
    save_article(open_db(path), {"url": "http://127.0.0.1:1/a", "canonical_url": "https://n.example/a",
                                 "title": "Titre", "published": "2026-11-02", "lang": "fr", "text": "Corps."})
    result = runner.invoke(app, ["articles", "--db", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(rows) == 1
    assert {"url", "title", "published", "lang", "text"} <= rows[0].keys()
    assert rows[0]["canonical_url"] == "https://n.example/a" and rows[0]["text"] == "Corps."


def test_extract_with_a_missing_input_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["extract", "--input", str(tmp_path / "in.jsonl"),
                                 "--output", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_db_from_environment(tmp_path):
    path = tmp_path / "env.db"
    result = runner.invoke(app, ["runs"], env={"FUNDWATCH_DB": str(path)})
    assert result.exit_code == 2 and "no database" in result.output
