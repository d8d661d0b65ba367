"""Crawl throughput over loopback: pages/s with and without body extraction.

    .venv/bin/python benchmarks/bench_crawl.py [--pages 400] [--concurrency 16]

Serves N distinct article pages (built from the crawler's test fixtures, each made unique) behind a
sitemap on 127.0.0.1, and crawls them into a fresh SQLite file with `crawlers.runner.run_crawl`,
politeness delays off (this measures the crawler, not the delays). "crawl s" is Scrapy's own elapsed
time; "wall s" adds the subprocess start-up (imports), paid once per crawl.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.runner import run_crawl  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "crawl"
TEMPLATES = ["article_en.html", "article_fr.html", "malformed.html"]


def make_pages(n: int) -> dict[str, bytes]:
    templates = [(FIXTURES / name).read_text(encoding="utf-8") for name in TEMPLATES]
    pages = {}
    for i in range(n):
        html = re.sub(r'<link rel="canonical"[^>]*>', "", templates[i % len(templates)])
        # distinct bodies: number every paragraph, so no page is an alias of another
        html = re.sub(r"<p>", lambda m, i=i: f"<p>[{i}-{m.start()}] ", html)
        pages[f"/news/{i}.html"] = html.encode("utf-8")
    return pages


def serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}{p}</loc></url>" for p in pages)
                body, ctype = (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                               f"{locs}</urlset>").encode(), "application/xml"
            elif self.path == "/robots.txt":
                body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
            elif self.path in pages:
                body, ctype = pages[self.path], "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    server = serve(make_pages(args.pages))
    url = f"http://127.0.0.1:{server.server_address[1]}/sitemap.xml"
    settings = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "WARNING",
                "CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency}
    print(f"{args.pages} pages over loopback, concurrency {args.concurrency}")
    print(f"{'mode':<18}{'stored':>8}{'crawl s':>10}{'pages/s':>10}{'wall s':>9}{'pages/s':>10}")
    for mode, extract in (("with extraction", True), ("without extraction", False)):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            report = run_crawl(str(Path(tmp) / "bench.db"), urls=[url],
                               settings={**settings, "FUNDWATCH_EXTRACT": extract})
            wall = time.perf_counter() - start
        crawl = report["elapsed_seconds"]
        print(f"{mode:<18}{report['stored']:>8}{crawl:>10.1f}{report['stored'] / crawl:>10.1f}"
              f"{wall:>9.1f}{report['stored'] / wall:>10.1f}")
    server.shutdown()


if __name__ == "__main__":
    main()
