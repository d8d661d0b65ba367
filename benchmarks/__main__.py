"""`make bench` = `python -m benchmarks [--quick]`: every benchmark in turn, each printing its figures.

Each one also runs alone: `python -m benchmarks.bench_extract --help` (and bench_search, bench_memory,
bench_pipeline; bench_crawl is a script: `python benchmarks/bench_crawl.py`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from benchmarks import ROOT, git_revision, machine

MODULES = ["bench_extract", "bench_search", "bench_memory", "bench_pipeline"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a few minutes in all)")
    ap.add_argument("--only", nargs="+", choices=[*MODULES, "bench_crawl"], help="run only these")
    args = ap.parse_args()
    print(f"# fundwatch benchmarks, revision {git_revision()}\n# machine: {machine()}\n", flush=True)
    failed = []
    for name in args.only or [*MODULES, "bench_crawl"]:
        if name == "bench_crawl":  # the crawler helper's script: crawl alone, with and without extraction
            cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_crawl.py")]
            if args.quick:
                cmd += ["--pages", "100"]
        else:
            cmd = [sys.executable, "-m", f"benchmarks.{name}", *(["--quick"] if args.quick else [])]
        print(f"## {name}\n$ {' '.join(cmd[1:])}", flush=True)
        started = time.perf_counter()
        rc = subprocess.run(cmd, cwd=ROOT).returncode  # one process each: no model or cache shared
        print(f"({name}: {time.perf_counter() - started:.0f} s{', FAILED' if rc else ''})\n", flush=True)
        if rc:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
