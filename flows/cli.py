"""The `fundwatch` command line: thin commands over crawlers/, nlp/, db/ and the Prefect flows."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flows import prefect_env
from flows.console import console, out, progress_bar, user_errors, write_records

app = typer.Typer(
    help="Follow French and English news about AI funding and turn articles into searchable funding events.\n\n"
    "Data flows one way: sources → crawl → articles → extraction → events → search / digest.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

DbOpt = Annotated[
    Path | None,
    typer.Option("--db", envvar="FUNDWATCH_DB", help="SQLite database file (default: ./fundwatch.db).",
                 show_default=False),
]


class ArticleFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    table = "table"


class EventFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class DigestFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"
    csv = "csv"


class Period(StrEnum):
    week = "week"
    month = "month"


class SortKey(StrEnum):
    amount = "amount"
    date = "date"
    relevance = "relevance"


def _open(db_path: Path | None, readonly: bool = False, check: bool = False):
    from db.store import open_db

    return open_db(db_path, readonly=readonly, check=check)


@app.command()
@user_errors
def crawl(
    sources: Annotated[Path | None, typer.Option(help="Sources file (TOML); default: the shipped outlets.")] = None,
    url: Annotated[list[str] | None, typer.Option(
        "--url", help="Ad-hoc URL to crawl: an RSS/Atom feed, a sitemap or an article page (repeatable).")] = None,
    refetch: Annotated[bool, typer.Option(
        help="Fetch pages again even when already stored, and URLs given up on (404, other language, "
             "3 failures).")] = False,
    db: DbOpt = None,
) -> None:
    """Fetch articles from news sources into the articles table (polite, incremental)."""
    from crawlers.runner import run_crawl
    from db.runs import finish_run, mark_interrupted, start_run
    from db.store import resolve_path
    from flows.runlock import run_lock

    if sources and not sources.exists():
        raise FileNotFoundError(f"sources file {sources} does not exist")
    store = _open(db, check=True)
    with run_lock(resolve_path(db)):
        mark_interrupted(store)
        run_id = start_run(store, "crawl")
        try:
            with console.status("Crawling…"):
                report = run_crawl(str(resolve_path(db)), urls=url or None,
                                   sources_file=str(sources) if sources else None, refetch=refetch, run_id=run_id)
        except BaseException as exc:
            finish_run(store, run_id, status="failed", error=str(exc))
            raise
        finish_run(store, run_id, report=_crawl_counts(report))
    _print_crawl_report(report)


def _crawl_counts(report: dict) -> dict:
    skipped = report.get("skipped") or {}
    return {**report, "skipped": sum(skipped.values()) if isinstance(skipped, dict) else skipped,
            "skipped_by_reason": skipped}


def _print_crawl_report(report: dict) -> None:
    skipped = report.get("skipped") or {}
    reasons = ", ".join(f"{k}: {v}" for k, v in sorted(skipped.items())) if isinstance(skipped, dict) else ""
    out.print(f"fetched {report.get('fetched', 0)}, stored {report.get('stored', 0)}, "
              f"unchanged {report.get('unchanged', 0)}, aliases {report.get('alias', 0)}, "
              f"skipped {sum(skipped.values()) if isinstance(skipped, dict) else skipped}"
              + (f" ({reasons})" if reasons else "")
              + (f", given up {report['given_up']} (404, other language, 3 failures: --refetch asks again)"
                 if report.get("given_up") else ""))


@app.command()
@user_errors
def articles(
    format: Annotated[ArticleFormat, typer.Option(
        "--format", "-f", help="Output format.")] = ArticleFormat.table,
    status: Annotated[str | None, typer.Option(help="Only articles in this state: new, processed, skipped.")] = None,
    lang: Annotated[str | None, typer.Option(help="Only articles in this language (fr, en).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many articles.")] = None,
    db: DbOpt = None,
) -> None:
    """List stored articles (JSONL lines carry url, canonical_url, title, published, lang and text)."""
    from db.articles import iter_articles

    store = _open(db, readonly=True)
    rows = iter_articles(store, status=status, lang=lang, limit=limit)
    if format is ArticleFormat.jsonl:
        columns = ["id", "url", "canonical_url", "source", "title", "published", "lang", "status",
                   "skip_reason", "text"]
        write_records(({k: r[k] for k in columns} for r in rows), "jsonl", columns)
    elif format is ArticleFormat.csv:
        write_records(rows, "csv", ["id", "url", "canonical_url", "source", "title", "published", "lang",
                                    "status", "skip_reason", "text"])
    else:
        write_records(rows, "table", ["id", "published", "lang", "status", "title", "url"], title="Articles")


@app.command()
@user_errors
def extract(
    input: Annotated[Path, typer.Option("--input", "-i", help="JSONL: one {\"id\", \"text\"} a line, optional "
                                         "lang (fr or en: trusted; otherwise detected), url, published, title.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL to write: one result a line.")],
) -> None:
    """Extract funding events from texts, offline and without a database (for evaluation and scripts)."""
    if not input.exists():
        raise FileNotFoundError(f"input file {input} does not exist")
    from flows.extract import extract_file

    total = sum(1 for line in input.open(encoding="utf-8") if line.strip())
    with progress_bar("Extracting", total) as advance:
        counts = extract_file(input, output, progress=advance)
    console.print(f"wrote {output}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command()
@user_errors
def process(
    batch_size: Annotated[int, typer.Option(min=1, help="Articles per spaCy batch.")] = 32,
    db: DbOpt = None,
) -> None:
    """Run extraction over stored articles not processed yet and merge their events."""
    from db.store import resolve_path
    from flows.process import process_articles
    from flows.runlock import run_lock

    store = _open(db)
    pending = store.execute("SELECT count(*) FROM articles WHERE status = 'new'").fetchone()[0]
    with run_lock(resolve_path(db)), progress_bar("Processing articles", pending) as advance:
        counts = process_articles(store, batch_size=batch_size, progress=advance)
    out.print(json.dumps(counts, ensure_ascii=False))


@app.command()
@user_errors
def reprocess(
    all: Annotated[bool, typer.Option(
        "--all", help="Re-extract every article, even at the current version.")] = False,
    db: DbOpt = None,
) -> None:
    """Re-extract stored articles from their stored HTML after the extractor changed."""
    from db.store import resolve_path
    from flows.process import reprocess_articles
    from flows.runlock import run_lock

    store = _open(db)
    total = store.execute("SELECT count(*) FROM articles").fetchone()[0]
    with run_lock(resolve_path(db)), progress_bar("Re-processing articles", total) as advance:
        counts = reprocess_articles(store, force=all, progress=advance)
    out.print(json.dumps(counts, ensure_ascii=False))


EVENT_COLUMNS = ["announced", "recipient", "amount", "currency", "amount_eur", "country", "region", "kind",
                 "round", "investors", "n_sources"]


@app.command()
@user_errors
def search(
    query: Annotated[str | None, typer.Argument(
        help="Full-text query (accents optional); none lists every event.")] = None,
    org: Annotated[str | None, typer.Option(help="Organisation involved (recipient or investor).")] = None,
    region: Annotated[str | None, typer.Option(help="Region name or ISO 3166-2 code.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 country code.")] = None,
    min_amount: Annotated[float | None, typer.Option(help="Minimum amount (EUR unless --currency).")] = None,
    max_amount: Annotated[float | None, typer.Option(help="Maximum amount (EUR unless --currency).")] = None,
    currency: Annotated[str | None, typer.Option(help="Compare amounts in this original currency.")] = None,
    kind: Annotated[str | None, typer.Option(
        help="private_round, public_program, grant, debt, acquisition, other.")] = None,
    round: Annotated[str | None, typer.Option(help="pre-seed, seed, series_a, ...")] = None,
    lang: Annotated[str | None, typer.Option(help="Reported in this language (fr, en).")] = None,
    since: Annotated[str | None, typer.Option(help="Announced on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Announced on or before this date (YYYY-MM-DD).")] = None,
    sort: Annotated[SortKey, typer.Option(
        help="date (newest first), amount (largest first) or relevance to the query (bm25; among its 5,000 "
             "most recently recorded matches when more match, unless filters leave too few there).")] = SortKey.date,
    limit: Annotated[int, typer.Option(min=1, help="At most this many events.")] = 50,
    format: Annotated[EventFormat, typer.Option("--format", "-f", help="Output format.")] = EventFormat.table,
    db: DbOpt = None,
) -> None:
    """Search funding events by text, organisation, place, amount, kind, language and date."""
    from db.search import search_events

    store = _open(db, readonly=True)
    events = search_events(store, query, org=org, region=region, country=country, min_amount=min_amount,
                           max_amount=max_amount, currency=currency, kind=kind, round=round, lang=lang,
                           since=since, until=until, sort=sort.value, limit=limit)
    if format is EventFormat.table:
        write_records(events, "table", EVENT_COLUMNS, title=f"{len(events)} events")
    else:
        write_records(events, format.value, EVENT_COLUMNS + ["sources", "evidence"])


@app.command()
@user_errors
def digest(
    since: Annotated[str | None, typer.Option(
        help="First day (YYYY-MM-DD) (default: start of the last period).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD) (default: today).")] = None,
    period: Annotated[Period, typer.Option(help="Length of the period when --since is not given.")] = Period.week,
    format: Annotated[DigestFormat, typer.Option("--format", "-f", help="Output format.")] = DigestFormat.md,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    db: DbOpt = None,
) -> None:
    """Render the newsletter digest of the events of a period (Markdown, email-safe HTML, JSON or CSV)."""
    from flows.digest import render_digest, write_digest_file

    store = _open(db, readonly=True)
    text = render_digest(store, since=since, until=until, period=period.value, fmt=format.value)
    if output:
        write_digest_file(text, output)
        console.print(f"digest written to {output}")
    else:
        out.print(text, markup=False, highlight=False, soft_wrap=True)


@app.command()
@user_errors
def run(
    sources: Annotated[Path | None, typer.Option(help="Sources file (TOML); default: the shipped outlets.")] = None,
    digest_dir: Annotated[Path, typer.Option(help="Folder for the digest of the new events.")] = Path("digests"),
    parallel: Annotated[bool, typer.Option(
        help="Analyse article batches on a task runner (Dask with the `scale` extra, else threads).")] = False,
    db: DbOpt = None,
) -> None:
    """Run the daily pipeline once (crawl → process → digest) as a Prefect flow, on the embedded default."""
    from db.store import resolve_path

    prefect_env.configure()
    from flows.daily import daily

    _open(db, check=True)  # fail early, before Prefect starts, on a bad database
    report = daily(db_path=str(resolve_path(db)), sources_file=str(sources) if sources else None,
                   digest_dir=str(digest_dir), parallel=parallel)
    _print_run_report(report)


def _print_run_report(report: dict) -> None:
    from rich.table import Table

    table = Table(title="Run report")
    for col in ("source", "fetched", "stored", "skipped", "status"):
        table.add_column(col)
    for name, rep in (report.get("sources") or {}).items():
        skipped = rep.get("skipped") or {}
        table.add_row(name, str(rep.get("fetched", 0)), str(rep.get("stored", 0)),
                      ", ".join(f"{k}: {v}" for k, v in skipped.items()) if isinstance(skipped, dict) else str(skipped),
                      rep.get("status", "ok"))
    out.print(table)
    proc = report.get("process") or {}
    out.print(f"processed {proc.get('processed', 0)} articles, {proc.get('relevant', 0)} relevant, "
              f"{proc.get('mentions', 0)} mentions, {proc.get('events_new', 0)} new events")
    if report.get("digest"):
        out.print(f"digest: {report['digest']}")


@app.command()
@user_errors
def runs(
    limit: Annotated[int, typer.Option(min=1, help="How many runs to show.")] = 10,
    db: DbOpt = None,
) -> None:
    """Show the last runs and their counts (what each day did)."""
    from db.runs import last_runs

    store = _open(db, readonly=True)
    write_records(last_runs(store, limit), "table",
                  ["id", "kind", "started_at", "finished_at", "status", "fetched", "stored", "skipped",
                   "processed", "events_new", "error"], title="Runs")


@app.command()
@user_errors
def schedule(
    cron: Annotated[str, typer.Option(help="When the daily run starts (cron syntax).")] = "0 6 * * *",
    timezone: Annotated[str, typer.Option(help="Time zone of the cron schedule.")] = "Europe/Paris",
    digest_cron: Annotated[str, typer.Option(help="When the weekly digest is made.")] = "0 7 * * 1",
    sources: Annotated[Path | None, typer.Option(help="Sources file (TOML); default: the shipped outlets.")] = None,
    db: DbOpt = None,
) -> None:
    """Serve the daily and weekly-digest deployments on a local Prefect server (or PREFECT_API_URL)."""
    from db.store import resolve_path

    prefect_env.configure()
    from flows.schedule import serve_schedule

    _open(db)
    serve_schedule(db_path=str(resolve_path(db).resolve()), cron=cron, timezone=timezone,
                   digest_cron=digest_cron, sources_file=str(sources.resolve()) if sources else None)


@app.command()
@user_errors
def ui(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8001,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    db: DbOpt = None,
) -> None:
    """Open the analysts' web UI (Datasette, read-only) on the database."""
    from db.store import resolve_path
    from flows.ui import serve_ui

    _open(db)  # migrations applied, so the UI sees the current schema
    serve_ui(str(resolve_path(db)), port=port, host=host)


@app.command()
@user_errors
def demo(
    db: DbOpt = None,
    digest_dir: Annotated[Path, typer.Option(help="Folder for the demo's digest.")] = Path("digests"),
    port: Annotated[int | None, typer.Option(
        help="Port on 127.0.0.1 for the demo site (default: 8765 when free, else any free port).",
        show_default=False)] = None,
) -> None:
    """Serve the bundled demo news site on loopback and run the daily pipeline against it (offline)."""
    from db.store import resolve_path

    prefect_env.configure()
    from flows.demo import run_demo

    _open(db, check=True)
    run_demo(str(resolve_path(db)), digest_dir=digest_dir, port=port)


def main() -> None:
    app()


if __name__ == "__main__":
    main()


__all__ = ["app", "main", "date"]
