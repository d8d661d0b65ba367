"""Serves the bundled demo news site on loopback, so the demo and tests crawl real HTTP offline."""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

SITE = Path(str(resources.files("flows") / "demo_site"))
TEMPLATED = {".xml", ".txt"}


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path = SITE, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.root = root.resolve()
        self.requests: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: DemoServer

    def log_message(self, *args) -> None:  # keep the demo's output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        self.server.requests.append(path)
        if path.endswith("/"):
            path += "index.html"
        target = (self.server.root / path.lstrip("/")).resolve()
        if not target.is_file() or self.server.root not in target.parents:
            return self._send(404, b"not found", "text/plain; charset=utf-8")
        body = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in TEMPLATED:
            body = body.replace(b"{{BASE}}", self.server.base_url.encode())
            ctype += "; charset=utf-8"
        # HTML goes out without a charset so pages declare their own (one is windows-1252).
        self._send(200, body, ctype)

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


PREFERRED_PORT = 8765


@contextmanager
def serve_demo_site(root: Path = SITE, port: int | None = 0) -> Iterator[DemoServer]:
    """Run the server in a background thread for the duration of the block.

    `port=None` asks for PREFERRED_PORT when it is free (so repeated demos fetch the same URLs and find
    them already stored), else any free port.
    """
    if port is None:
        try:
            server = DemoServer(root, PREFERRED_PORT)
        except OSError:
            server = DemoServer(root, 0)
    else:
        server = DemoServer(root, port)
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def demo_sources_toml(base_url: str) -> str:
    """A sources file pointing at the served demo site (its feed, sitemap and home listing)."""
    return f"""# Demo sources: the bundled offline site served on loopback.
[[source]]
name = "demo-feed"
kind = "feed"
url = "{base_url}/feed.xml"

[[source]]
name = "demo-sitemap"
kind = "sitemap"
url = "{base_url}/sitemap.xml"
"""
