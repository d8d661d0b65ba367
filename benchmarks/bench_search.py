"""Search, index maintenance and digest speed on a synthetic database of many events.

    .venv/bin/python benchmarks/bench_search.py --events 20000

Writes events the way db/events.py does (insert, then mentions and organisation links, then an
update), so the search-index triggers pay their real cost; then times typical searches and a digest.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from db.search import refresh_search_index, search_events
from db.store import open_db
from flows.digest import render_digest

WORDS = ["intelligence", "artificielle", "levée", "fonds", "startup", "plateforme", "données", "santé",
         "énergie", "robotique", "language", "model", "series", "seed", "round", "investors", "funding",
         "programme", "région", "Wallonie", "Bavière"]
COUNTRIES = [("FR", "Île-de-France", "FR-IDF"), ("BE", "Wallonie", "BE-WAL"), ("DE", "Bayern", "DE-BY"),
             ("GB", "London", "GB-LND"), ("US", "California", "US-CA"), ("CH", "Zürich", "CH-ZH")]
KINDS = ["private_round", "public_program", "grant", "debt"]
ROUNDS = [None, "seed", "series_a", "series_b", "series_c"]


def build(path: Path, n_events: int, seed: int = 7, triggers: bool = True) -> float:
    rng = random.Random(seed)
    db = open_db(path)
    if not triggers:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                  "AND name LIKE 'event_search_%'").fetchall():
            db.execute(f"DROP TRIGGER [{name}]")
    started = time.perf_counter()
    n_orgs = max(50, n_events // 4)
    with db.atomic():
        db["organisations"].insert_all(
            ({"id": i, "name": f"Org{i} {rng.choice(WORDS).title()}", "norm": f"org{i}",
              "aliases": json.dumps([f"Org{i}"])} for i in range(1, n_orgs + 1)), batch_size=1000)
        article_id = 0
        for i in range(n_events):
            day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
            country, region, code = rng.choice(COUNTRIES)
            eid = f"ev{i}"
            db["events"].insert({"id": eid, "first_seen": f"{day}T06:00:00Z", "last_seen": f"{day}T06:00:00Z",
                                 "n_sources": 0})
            investors = rng.sample(range(1, n_orgs + 1), rng.randint(0, 3))
            for _ in range(rng.choice((1, 1, 1, 2))):
                article_id += 1
                lang = rng.choice(("fr", "en"))
                title = " ".join(rng.choices(WORDS, k=8))
                db["articles"].insert({"id": article_id, "url": f"https://n.example/{article_id}",
                                       "canonical_url": f"https://n.example/{article_id}", "title": title,
                                       "published": day, "lang": lang, "text": title,
                                       "content_hash": str(article_id), "fetched_at": day, "status": "processed"})
                db["event_mentions"].insert({"event_id": eid, "article_id": article_id, "start": 0,
                                             "evidence": " ".join(rng.choices(WORDS, k=20)),
                                             "extractor_version": "bench"})
            recipient = rng.randint(1, n_orgs)
            for org, role in [(recipient, "recipient"), *((o, "investor") for o in investors)]:
                db.execute("INSERT OR IGNORE INTO event_organisations VALUES (?, ?, ?)", [eid, org, role])
            amount = round(10 ** rng.uniform(5, 9), -3)
            db["events"].update(eid, {
                "recipient": f"Org{recipient}", "amount": amount, "currency": rng.choice(("EUR", "USD", "GBP")),
                "amount_eur": amount * rng.uniform(0.8, 1.2), "country": country, "region": region,
                "region_code": code, "kind": rng.choice(KINDS), "round": rng.choice(ROUNDS), "announced": day,
                "investors": json.dumps([f"Org{o}" for o in investors]), "langs": json.dumps(["fr"]),
            })
    return time.perf_counter() - started


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = build(Path(tmp) / "plain.db", args.events, triggers=False)
        indexed = build(Path(tmp) / "bench.db", args.events)
        db = open_db(Path(tmp) / "bench.db", readonly=True)
        print(f"{args.events} events, {db['event_mentions'].count} mentions: written in {indexed:.1f} s with "
              f"the search triggers, {plain:.1f} s without ({indexed / plain:.2f}x)")
        rw = open_db(Path(tmp) / "bench.db")
        started = time.perf_counter()
        refresh_search_index(rw)
        print(f"full index rebuild (refresh_search_index): {time.perf_counter() - started:.2f} s")
        cases = {
            "no query, newest 50": dict(),
            "'levee' (accent-folded, prefix)": dict(query="levee"),
            "'wallonie OR baviere' sort amount": dict(query="wallonie OR baviere", sort="amount"),
            "org filter": dict(org="Org17"),
            "country + kind + min amount": dict(country="FR", kind="private_round", min_amount=1e7),
            "query + lang + since/until": dict(query="robotique", lang="fr", since="2026-03-01",
                                               until="2026-06-30"),
            "region + round, limit 500": dict(region="wallonie", round="seed", limit=500),
        }
        print("| search | results | median ms |\n| --- | ---: | ---: |")
        for name, kw in cases.items():
            query = kw.pop("query", None)
            n = len(search_events(db, query, **kw))
            print(f"| {name} | {n} | {timed(lambda q=query, k=kw: search_events(db, q, **k)):.1f} |")
        for fmt in ("html", "md"):
            ms = timed(lambda f=fmt: render_digest(db, since="2026-11-01", until="2026-11-30", fmt=f), repeat=3)
            print(f"| digest of November ({fmt}) | - | {ms:.0f} |")


if __name__ == "__main__":
    main()
