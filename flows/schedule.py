"""`fundwatch schedule`: serve the daily and weekly-digest deployments on a Prefect server.

Prefect's ephemeral mode cannot run schedules, so unless a server is configured (PREFECT_API_URL, from the
environment or the active Prefect profile) we start one on loopback, with its own home and analytics off,
for as long as we serve, and stop it on the way out (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows import prefect_env
from flows.console import UserError, console

DAILY = "daily"  # flow and deployment name: "daily/daily"
WEEKLY = "weekly-digest"  # flow and deployment name: "weekly-digest/weekly-digest"
PREFERRED_PORT = 4200  # Prefect's usual port, when free: bookmarks keep working across restarts
STARTUP_TIMEOUT_S = 180.0
RUN_LOG_LEVEL = "INFO"


@dataclass
class LocalServer:
    """A `prefect server start` child process and where it answers."""

    process: subprocess.Popen
    url: str
    home: Path
    log: Path

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def free_port(preferred: int | None = PREFERRED_PORT) -> int:
    """`preferred` when nothing listens on it, else a port the OS picks."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as sock:
            # as uvicorn binds: connections of a server that just stopped (TIME_WAIT) do not block the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise UserError("no free TCP port on 127.0.0.1 for the Prefect server")


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM if we are killed outright (SIGKILL), so it is never orphaned."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_local_server(home: Path, port: int | None = None, ui: bool = True,
                       timeout: float = STARTUP_TIMEOUT_S) -> LocalServer:
    """Start `prefect server start` on 127.0.0.1 and wait until its /api/health answers."""
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"PREFECT_API_URL", "PREFECT_UI_URL"}}
    env.update({"PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    log = home / "server.log"
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port),
           "--analytics-off", "--ui" if ui else "--no-ui"]
    with open(log, "ab") as log_fh:
        # Own session: a Ctrl-C in the terminal reaches us only, and we stop the server after the runner.
        process = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log_fh,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    server = LocalServer(process, f"http://127.0.0.1:{port}", home, log)
    deadline = time.monotonic() + timeout
    while not is_healthy(server.api_url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_local_server(server)
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
            raise UserError(f"the Prefect server did not start on port {port} (see {log}):\n" + "\n".join(tail))
        time.sleep(0.5)
    return server


def stop_local_server(server: LocalServer, timeout: float = 20.0) -> None:
    """SIGTERM its process group, then SIGKILL if it lingers; a second Ctrl-C cannot interrupt this."""
    main = threading.current_thread() is threading.main_thread()  # only there may signals be handled
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        if server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGTERM)
            try:
                server.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait(10)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def _configured_api_url() -> str | None:
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


@contextlib.contextmanager
def prefect_api(ui: bool = True, port: int | None = None) -> Iterator[str]:
    """The configured Prefect API, or a local server started for the duration of the block."""
    from prefect.settings import PREFECT_API_URL, PREFECT_LOGGING_LEVEL, PREFECT_UI_URL, temporary_settings

    configured = _configured_api_url()
    if configured:
        if not is_healthy(configured, timeout=10):
            raise UserError(f"the Prefect API at {configured} (PREFECT_API_URL) does not answer; start that "
                            "server or unset PREFECT_API_URL to let fundwatch start a local one")
        console.print(f"Using the Prefect server at {configured}", soft_wrap=True)
        yield configured
        return
    home = Path(os.environ.get("PREFECT_HOME") or prefect_env.configure()) / "server"
    console.print("Starting a local Prefect server…")
    server = start_local_server(home, port=port, ui=ui)
    try:
        console.print(f"Prefect server started (pid {server.process.pid}): API {server.api_url}"
                      + (f", UI {server.url}" if ui else "") + f", log {server.log}", soft_wrap=True)
        # Prefect reads its settings once at import: the environment alone is too late for this process,
        # but children (the flow runs) inherit both.
        os.environ["PREFECT_API_URL"] = server.api_url
        updates: dict[Any, Any] = {PREFECT_API_URL: server.api_url, PREFECT_LOGGING_LEVEL: RUN_LOG_LEVEL}
        if ui:
            os.environ["PREFECT_UI_URL"] = server.url
            updates[PREFECT_UI_URL] = server.url
        with temporary_settings(updates=updates):
            yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        os.environ.pop("PREFECT_UI_URL", None)
        stop_local_server(server)
        console.print(f"Prefect server stopped (pid {server.process.pid}).")


def check_schedule(cron: str, timezone: str) -> Any:
    """A Prefect Cron schedule, or a clear error for a bad expression or time zone."""
    from prefect.schedules import Cron

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"unknown time zone {timezone!r} (use an IANA name such as Europe/Paris)") from None
    try:
        return Cron(cron, timezone=timezone)
    except ValueError as exc:
        raise UserError(f"invalid cron expression {cron!r}: {exc}") from None


def build_deployments(db_path: str, cron: str = "0 6 * * *", timezone: str = "Europe/Paris",
                      digest_cron: str = "0 7 * * 1", sources_file: str | None = None,
                      digest_dir: str | None = None) -> list[Any]:
    """The `daily/daily` and `weekly-digest/weekly-digest` deployments, by module path so they run
    from any working directory where fundwatch is installed."""
    from prefect.deployments.runner import EntrypointType

    from flows.daily import daily
    from flows.weekly import weekly_digest

    daily_schedule, digest_schedule = check_schedule(cron, timezone), check_schedule(digest_cron, timezone)
    db_path = str(Path(db_path).resolve())
    digest_dir = str(Path(digest_dir).resolve() if digest_dir else Path(db_path).parent / "digests")
    common: dict[str, Any] = {"entrypoint_type": EntrypointType.MODULE_PATH, "tags": ["fundwatch"]}
    return [
        daily.to_deployment(
            name=DAILY, schedules=[daily_schedule], concurrency_limit=1,
            parameters={"db_path": db_path, "sources_file": sources_file, "digest_dir": digest_dir},
            description="Crawl every source, extract and merge funding events, write the digest of new ones.",
            **common),
        weekly_digest.to_deployment(
            name=WEEKLY, schedules=[digest_schedule],
            parameters={"db_path": db_path, "digest_dir": digest_dir},
            description="Render the last week's funding events for the newsletter.", **common),
    ]


def serve_schedule(db_path: str, cron: str = "0 6 * * *", timezone: str = "Europe/Paris",
                   digest_cron: str = "0 7 * * 1", sources_file: str | None = None,
                   digest_dir: str | None = None, ui: bool = True, port: int | None = None) -> None:
    """Serve both deployments until Ctrl-C or SIGTERM; the local server (if we started it) stops with us."""
    prefect_env.configure()
    # Unattended runs log at INFO (the quiet CLI default would hide them): the terminal, the Prefect UI and
    # `prefect flow-run logs` then show what each run did. Set before Prefect reads its settings.
    os.environ["PREFECT_LOGGING_LEVEL"] = RUN_LOG_LEVEL
    import asyncio

    from prefect.runner import Runner

    deployments = build_deployments(db_path, cron, timezone, digest_cron, sources_file, digest_dir)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    # Until Prefect's runner installs its own handler, SIGTERM unwinds through `finally` (server stopped).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        with prefect_api(ui=ui, port=port):
            # What prefect.serve does, except for Ctrl-C: it takes the runner's graceful SIGTERM path
            # (stop polling, let `start` return) instead of asyncio cancelling the runner's main task,
            # which now and then left the runner hanging; a second Ctrl-C exits at once.
            runner = Runner(pause_on_shutdown=True)
            for deployment in deployments:
                runner.add_deployment(deployment)

            def stop(*_: Any) -> None:
                if not runner.stopping:
                    console.print("Stopping: the schedules are paused and the server stops (Ctrl-C again to "
                                  "quit at once)…", soft_wrap=True)
                runner.handle_sigterm()

            signal.signal(signal.SIGINT, stop)
            console.print(f"Serving {DAILY}/{DAILY} (cron '{cron}', {timezone}) and {WEEKLY}/{WEEKLY} "
                          f"(cron '{digest_cron}', {timezone}) on {db_path}. Stop with Ctrl-C.", soft_wrap=True)
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(runner.start())
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
