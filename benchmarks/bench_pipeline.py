"""The whole pipeline over loopback: crawl N generated pages (fetch, extract, store), then process them.

    .venv/bin/python -m benchmarks.bench_pipeline [--pages 1000] [--concurrency 16] [--quick]

Pages and server come from benchmarks/bench_crawl.py (the crawler helper's benchmark: distinct
article pages behind a sitemap on 127.0.0.1); politeness delays off, as there. The crawl runs through
`crawlers.runner.run_crawl` (the Scrapy subprocess with every item pipeline), then `fundwatch process`
runs in a subprocess on the same file (language, relevance, spaCy, amounts, event merge). Wall times
include each subprocess's start-up (imports, model loading).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import ROOT, machine
from benchmarks.bench_crawl import make_pages, serve


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--quick", action="store_true", help="100 pages")
    args = ap.parse_args(argv)
    if args.quick:
        args.pages = 100
    from crawlers.runner import run_crawl

    print(f"machine: {machine()}")
    server = serve(make_pages(args.pages))
    url = f"http://127.0.0.1:{server.server_address[1]}/sitemap.xml"
    settings = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "WARNING",
                "CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "pipeline.db"
            started = time.perf_counter()
            crawl = run_crawl(str(path), urls=[url], settings=settings)
            crawl_wall = time.perf_counter() - started
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "flows.cli", "process", "--db", str(path)], cwd=ROOT,
                                  env={**os.environ, "DO_NOT_TRACK": "1"}, capture_output=True, text=True)
            process_wall = time.perf_counter() - started
            if proc.returncode != 0:
                raise RuntimeError(f"fundwatch process failed: {proc.stderr[-2000:]}")
            report = proc.stdout.strip().splitlines()[-1]
            size = path.stat().st_size
    finally:
        server.shutdown()
    stored = crawl["stored"]
    total = crawl_wall + process_wall
    result = {"pages": args.pages, "stored": stored, "crawl_s": crawl["elapsed_seconds"], "crawl_wall_s": crawl_wall,
              "process_wall_s": process_wall, "total_s": total, "db_mib": size / 2**20, "process_report": report}
    print(f"{args.pages} pages, concurrency {args.concurrency}; database {size / 2**20:.1f} MiB; process: {report}")
    print("| stage | items | s | items/s |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| crawl (Scrapy elapsed: fetch + extract + store) | {stored} | {crawl['elapsed_seconds']:.1f} | "
          f"{stored / crawl['elapsed_seconds']:.1f} |")
    print(f"| crawl, wall (with subprocess start-up) | {stored} | {crawl_wall:.1f} | {stored / crawl_wall:.1f} |")
    print(f"| `fundwatch process`, wall (with model loading) | {stored} | {process_wall:.1f} | "
          f"{stored / process_wall:.1f} |")
    print(f"| whole pipeline, wall | {stored} | {total:.1f} | {stored / total:.1f} |")
    return result


if __name__ == "__main__":
    main()
