"""Peak memory of `fundwatch process` as the backlog grows: it must stay flat (stream, don't load all).

    .venv/bin/python -m benchmarks.bench_memory [--sizes 1000 5000 10000] [--quick]

For each size, a fresh database (the real schema, `open_db`) gets that many generated articles in
state `new` (the demo site's bodies with their figures, names and dates varied, as bench_extract
makes them), then `python -m flows.cli process --db ...` runs in a subprocess. Its peak resident set
comes from the kernel (`wait4` rusage `ru_maxrss`); RSS is also sampled every 0.2 s from /proc to show
where it is reached (after the models load, or growing with the articles).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import ROOT, machine
from benchmarks.bench_extract import corpus


def make_db(path: Path, n: int) -> None:
    from db.articles import content_hash
    from db.store import open_db

    db = open_db(path)
    records = corpus(min(n, 2000))

    def rows():
        for i in range(n):
            rec = records[i % len(records)]
            text = rec["text"] if i < len(records) else f"{rec['text']}\n\n(édition {i})"
            day = f"2026-{(i // 28) % 12 + 1:02d}-{i % 28 + 1:02d}"
            yield {"id": i + 1, "url": f"https://bench.example/{i}", "canonical_url": f"https://bench.example/{i}",
                   "source": "bench", "title": rec["title"], "published": day, "lang": rec["lang"], "text": text,
                   "content_hash": content_hash(text), "fetched_at": f"{day}T07:00:00Z", "status": "new"}

    with db.atomic():
        db["articles"].insert_all(rows(), batch_size=1000)
    db.conn.close()


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(path: Path, n: int) -> dict:
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "process", "--db", str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.perf_counter() - started, _rss_kb(proc.pid)))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_text = proc.stdout.read()
    err_text = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"fundwatch process failed ({proc.returncode}): {err_text[-2000:]}")
    live = [kb for _, kb in samples if kb]
    # RSS when a tenth of the articles were done vs at the end: growth with the backlog shows here
    tenth = live[len(live) // 10] if live else 0
    return {"articles": n, "peak_mib": usage.ru_maxrss / 1024, "wall_s": wall, "articles_per_s": n / wall,
            "rss_at_10pct_mib": tenth / 1024, "rss_at_end_mib": (live[-1] if live else 0) / 1024,
            "report": out_text.strip().splitlines()[-1] if out_text.strip() else ""}


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    ap.add_argument("--quick", action="store_true", help="sizes 50, 150 and 300")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes = [50, 150, 300]
    print(f"machine: {machine()}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"mem{n}.db"
            make_db(path, n)
            r = measure(path, n)
            r["db_mib"] = path.stat().st_size / 2**20
            results.append(r)
            print(f"{n} articles: peak RSS {r['peak_mib']:.0f} MiB, {r['wall_s']:.0f} s "
                  f"({r['articles_per_s']:.1f} articles/s); {r['report']}", flush=True)
    print("| articles | peak RSS MiB | RSS at 10 % MiB | RSS at end MiB | wall s | articles/s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['articles']:,} | {r['peak_mib']:.0f} | {r['rss_at_10pct_mib']:.0f} | {r['rss_at_end_mib']:.0f} "
              f"| {r['wall_s']:.0f} | {r['articles_per_s']:.1f} |")
    growth = results[-1]["peak_mib"] - results[0]["peak_mib"]
    print(f"peak growth from {results[0]['articles']:,} to {results[-1]['articles']:,} articles: {growth:+.0f} MiB "
          f"({growth / results[0]['peak_mib'] * 100:+.1f} %)")
    return results


if __name__ == "__main__":
    main()
