"""`python -m crawlers --job JOB.json --report REPORT.json`: one crawl in this process (Scrapy's reactor
cannot restart, so crawlers.runner starts one such process per crawl).

JOB.json: {"db": path, "sources": [Source dicts], "urls": [...], "refetch": bool, "run_id": int|null,
"settings": {Scrapy setting overrides}, "progress": bool}. With progress, one JSON line per stored or
skipped URL is printed on stdout; Scrapy's log goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawlers.recorder import Recorder
from crawlers.sources import Source, adhoc_source, site_key
from crawlers.spiders import SPIDERS

COUNTED = ("stored", "updated", "unchanged", "alias")


def build_settings(overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    if os.environ.get("FUNDWATCH_CONTACT"):
        settings.set("FUNDWATCH_CONTACT", os.environ["FUNDWATCH_CONTACT"], priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    contact = settings.get("FUNDWATCH_CONTACT")
    settings.set("USER_AGENT", settings.get("USER_AGENT").replace("{contact}", contact), priority="cmdline")
    return settings


def source_counts(stats: dict[str, Any]) -> dict[str, Any]:
    """One crawler's `fundwatch/...` stats as the report's per-source figures."""
    saved = {k: stats.get(f"fundwatch/saved/{k}", 0) for k in COUNTED}
    skipped = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("fundwatch/skipped/")}
    return {
        "fetched": stats.get("fundwatch/fetched", 0), **saved,
        "skipped": skipped, "seen": stats.get("fundwatch/seen", 0), "given_up": stats.get("fundwatch/given_up", 0),
        "filtered": stats.get("fundwatch/filtered", 0), "too_old": stats.get("fundwatch/too_old", 0),
        "requests": stats.get("downloader/request_count", 0),
        "retries": stats.get("retry/count", 0),
        "store_errors": stats.get("fundwatch/store_errors", 0),
        "finish_reason": stats.get("finish_reason"),
        "elapsed_seconds": round(float(stats.get("elapsed_time_seconds", 0.0)), 3),
    }


def merge_counts(per_source: dict[str, dict[str, Any]]) -> dict[str, Any]:
    report: dict[str, Any] = {k: 0 for k in ("fetched", *COUNTED, "seen", "given_up", "requests", "retries",
                                             "store_errors")}
    skipped: dict[str, int] = {}
    for counts in per_source.values():
        for key in report:
            report[key] += counts.get(key, 0)
        for reason, n in counts["skipped"].items():
            skipped[reason] = skipped.get(reason, 0) + n
    report["skipped"] = skipped
    # sources crawl in parallel inside one process: the crawl lasted as long as the slowest one
    report["elapsed_seconds"] = max((c.get("elapsed_seconds", 0.0) for c in per_source.values()), default=0.0)
    report["per_source"] = per_source
    return report


def crawl(job: dict[str, Any]) -> dict[str, Any]:
    settings = build_settings(job.get("settings"))
    recorder = Recorder(job["db"], run_id=job.get("run_id"), refetch=bool(job.get("refetch")),
                        progress=bool(job.get("progress")),
                        max_attempts=settings.getint("FUNDWATCH_MAX_ATTEMPTS"))
    process = CrawlerProcess(settings)
    crawlers: list[tuple[str, Crawler]] = []
    sources = [Source.from_dict(s) for s in job.get("sources") or []]
    plan: list[tuple[Source, dict[str, Any]]] = [(s, {}) for s in sources]
    if job.get("urls"):
        plan.append((adhoc_source(job["urls"][0]), {"urls": list(job["urls"])}))
    errors: list[str] = []

    def start(crawler: Crawler, source: Source, extra: dict[str, Any]) -> Any:
        done = process.crawl(crawler, source=source, recorder=recorder, **extra)
        done.addErrback(lambda failure: errors.append(f"{source.name}: {failure.getErrorMessage()}"))
        return done

    # Sources of one site run one after the other (each crawler has its own downloader, so parallel
    # crawlers would double the per-domain concurrency); different sites run in parallel.
    chains: dict[str, Any] = {}
    for i, (source, extra) in enumerate(plan):
        own = settings.copy()
        if source.delay is not None:
            own.set("DOWNLOAD_DELAY", source.delay, priority="cmdline")
            own.set("AUTOTHROTTLE_START_DELAY", max(source.delay, own.getfloat("AUTOTHROTTLE_START_DELAY")),
                    priority="cmdline")
        # The first crawler installs the reactor (what CrawlerProcess does for crawlers it creates).
        crawler = Crawler(SPIDERS[source.kind], own, init_reactor=(i == 0))
        site = site_key(source.url)
        if site in chains:
            chains[site].addCallback(lambda _, c=crawler, s=source, e=extra: start(c, s, e))
        else:
            chains[site] = start(crawler, source, extra)
        crawlers.append((source.name, crawler))
    try:
        process.start()
    finally:
        recorder.close()
    if errors:
        raise RuntimeError("crawl failed: " + "; ".join(errors))
    per_source: dict[str, dict[str, Any]] = {}
    for name, crawler in crawlers:
        counts = source_counts(crawler.stats.get_stats() if crawler.stats else {})
        if name in per_source:  # two entries with one name cannot happen from a sources file; be safe
            name = f"{name}#{len(per_source)}"
        per_source[name] = counts
    return merge_counts(per_source)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawlers", description=__doc__.split("\n\n")[0])
    ap.add_argument("--job", required=True, help="job description (JSON file)")
    ap.add_argument("--report", required=True, help="where to write the counts (JSON file)")
    args = ap.parse_args(argv)
    with open(args.job, encoding="utf-8") as fh:
        job = json.load(fh)
    report = crawl(job)
    with open(args.report, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
