"""`fundwatch ui`: Datasette started through the CLI on a free loopback port, queried through its JSON API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from event_samples import ARTICLES, EVENTS, build_sample_db

from db.search import search_events
from db.store import open_db
from flows.ui import CANNED_QUERIES, datasette_command, datasette_metadata


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _dump(path) -> str:
    return "\n".join(open_db(path, readonly=True).conn.iterdump())


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui")
    path = folder / "fundwatch.db"
    build_sample_db(path).conn.close()
    open_db(path).conn.close()  # what `fundwatch ui` does first: migrations (none left to apply)
    before = _dump(path)
    port = _free_port()
    log = (folder / "ui.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "ui", "--db", str(path), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"fundwatch ui exited with {proc.returncode}: {(folder / 'ui.log').read_text()}")
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("Datasette did not answer within 60 s: " + (folder / "ui.log").read_text())
                time.sleep(0.3)
        yield {"base": f"{base}/fundwatch", "root": base, "path": path, "before": before}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the session holds fundwatch and its Datasette child
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _get(url: str, **params):
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}?{query}" if query else url, timeout=10) as resp:
        return json.loads(resp.read())


def test_events_table(ui):
    data = _get(f"{ui['base']}/events.json", _shape="objects", _size="max")
    assert {r["id"] for r in data["rows"]} == {e[0] for e in EVENTS}
    assert data["filtered_table_rows_count"] == len(EVENTS)


def test_configured_facets(ui):
    data = _get(f"{ui['base']}/events.json", _size="0")
    facets = data["facet_results"]
    assert {"country", "region", "kind", "round", "langs", "currency"} <= facets.keys()
    countries = {r["value"]: r["count"] for r in facets["country"]["results"]}
    assert countries == dict(Counter(e[7] for e in EVENTS))
    langs = {r["value"]: r["count"] for r in facets["langs"]["results"]}
    article_lang = {a[0]: a[3] for a in ARTICLES}
    expected = Counter(lang for e in EVENTS for lang in {article_lang[aid] for aid, _ in e[13]})
    assert langs == dict(expected) and expected["fr"] + expected["en"] > len(EVENTS)  # one event in both


def test_full_text_search_is_accent_insensitive(ui):
    rows = _get(f"{ui['base']}/events.json", _search="levee", _shape="array")
    assert [r["id"] for r in rows] == ["ev-mistral"]
    rows = _get(f"{ui['base']}/events.json", _search="wallonie", _shape="array")
    assert [r["id"] for r in rows] == ["ev-wallonie"]


def test_canned_queries(ui):
    db = open_db(ui["path"], readonly=True)
    for name in CANNED_QUERIES:
        params = {"org": "bpifrance"} if name == "events_for_organisation" else {}
        rows = _get(f"{ui['base']}/{name}.json", _shape="array", **params)
        assert isinstance(rows, list), name
    rows = _get(f"{ui['base']}/events_for_organisation.json", org="banque europeenne", _shape="array")
    assert {r["id"] for r in rows} == {e["id"] for e in search_events(db, org="banque europeenne")} \
        == {"ev-aleph", "ev-pasqal"}
    investors = _get(f"{ui['base']}/most_active_investors.json", _shape="array")
    assert investors[0]["investor"] == "Bpifrance" and investors[0]["events"] == 2
    totals = _get(f"{ui['base']}/totals_by_country_and_quarter.json", _shape="array")
    fr_q4 = next(r for r in totals if r["country"] == "FR" and r["quarter"] == "2026-Q4")
    assert fr_q4["events"] == sum(1 for e in EVENTS if e[7] == "FR" and e[12] >= "2026-10-01")
    assert _get(f"{ui['base']}/events_for_organisation.json", org='"; DROP TABLE events; --',
                _shape="array") == []


def test_metadata_titles_and_units(ui):
    meta = _get(f"{ui['root']}/-/metadata.json")
    events = meta["databases"]["fundwatch"]["tables"]["events"]
    assert events["title"] == "Funding events" and events["units"] == {"amount_eur": "EUR"}
    page = urllib.request.urlopen(f"{ui['base']}/events", timeout=10).read().decode()
    assert "Funding events" in page and "MEUR" in page  # 22.3 MEUR: units rendered by Datasette


def test_ui_is_read_only(ui):
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(f"{ui['base']}.json", sql="DELETE FROM events")
    assert err.value.code == 400
    with pytest.raises(urllib.error.HTTPError):
        _get(f"{ui['base']}.json", sql="SELECT 1; DROP TABLE events")
    assert _dump(ui["path"]) == ui["before"]


def test_datasette_command(tmp_path):
    path = tmp_path / "x.db"
    build_sample_db(path)
    command = datasette_command(path, 9999)
    assert command[1:4] == ["-m", "datasette", "serve"]
    assert command[command.index("--host") + 1] == "127.0.0.1" and command[command.index("--port") + 1] == "9999"
    assert "-i" not in command  # mutable file opened mode=ro: sees the daily run's writes, cannot write
    meta = json.loads(Path(command[command.index("--metadata") + 1]).read_text(encoding="utf-8"))
    assert meta == json.loads(json.dumps(datasette_metadata(path)))
    assert meta["databases"]["x"]["tables"]["events"]["fts_table"] == "event_search_fts"
    with pytest.raises(FileNotFoundError):
        datasette_command(tmp_path / "missing.db", 9999)
