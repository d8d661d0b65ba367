"""Test-session set-up: Prefect offline in a temporary home, shared servers and fixtures."""

from __future__ import annotations

import os
import socket
import tempfile

# Before anything imports Prefect: no telemetry, and Prefect's database in a throwaway folder.
_PREFECT_HOME = tempfile.mkdtemp(prefix="fundwatch-prefect-")
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("FUNDWATCH_DB", None)

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (starting one costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="module")
def demo_site():
    """The bundled demo news site served on 127.0.0.1 (a free port) for one test module."""
    from flows.demo_server import serve_demo_site

    with serve_demo_site() as server:
        yield server


@pytest.fixture(scope="session")
def nlp_extractor():
    """`nlp.extract.analyse` with both spaCy pipelines loaded once for the whole session."""
    from nlp.extract import analyse
    from nlp.models import load_model

    load_model("fr")
    load_model("en")
    return analyse


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, prefect_harness):
    """`fundwatch demo` run once per session (real crawl, extraction, merge): modules share its database."""
    from typer.testing import CliRunner

    from flows.cli import app

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "fw.db"
    with socket.socket() as probe:  # a port free now, reused by the second run in test_demo
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["demo", "--db", str(path), "--digest-dir", str(folder / "digests"), "--port", str(port)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return {"path": path, "folder": folder, "output": result.output, "args": args}
