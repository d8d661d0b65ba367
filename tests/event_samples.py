"""A small events database written row by row through sqlite-utils, following migration m001's columns.

Used by the search, digest and UI tests so they do not depend on the NLP pipeline's exact output;
the demo-site database is searched separately in tests/test_search.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from db.store import open_db

HOSTILE_TITLE = 'Quantix raises $12M <script>alert("x")</script> & more'

ARTICLES = [
    # id, url, title, lang, published
    (1, "https://news.example.be/digitalwallonia", "20 millions d'euros supplémentaires pour l'IA en Wallonie",
     "fr", "2026-11-03"),
    (2, "https://www.example.fr/levee-mistral", "Levée de fonds record pour Mistral AI", "fr", "2026-11-05"),
    (3, "https://tech.example.com/mistral-round", "Mistral AI closes a record round", "en", "2026-11-05"),
    (4, "https://tech.example.com/quantix", HOSTILE_TITLE, "en", "2026-11-10"),
    (5, "https://www.example.de/aleph", "EIB lends €50m to Aleph Alpha", "en", "2026-10-20"),
    (6, "https://www.example.fr/pret-bei", "La BEI prête 30 millions d'euros à Pasqal", "fr", "2026-11-12"),
    (7, "https://news.example.co.uk/deepcell", "DeepCell raises £8m seed round", "en", "2026-09-15"),
    (8, "https://www.example.fr/nabla", "Nabla lève 24 millions de dollars en série B", "fr", "2026-11-18"),
]

ORGS = [
    (1, "DigitalWallonia4.AI", "programme", "BE"), (2, "Région wallonne", "public", "BE"),
    (3, "Mistral AI", "startup", "FR"), (4, "Andreessen Horowitz", "investor", "US"),
    (5, "Bpifrance", "investor", "FR"), (6, "Quantix", "startup", "US"),
    (7, "Aleph Alpha", "startup", "DE"), (8, "Banque européenne d'investissement", "investor", "LU"),
    (9, "Pasqal", "startup", "FR"), (10, "DeepCell", "startup", "GB"), (11, "Nabla", "startup", "FR"),
]

# id, recipient, org, amount, currency, amount_eur, investors, country, region, region_code, kind, round,
# announced, [(article_id, evidence)]
EVENTS = [
    ("ev-wallonie", "DigitalWallonia4.AI", 1, 20e6, "EUR", 20e6, [2], "BE", "Wallonie", "BE-WAL", "public_program",
     None, "2026-11-03", [(1, "Le Gouvernement wallon dégage 20 millions d'euros supplémentaires pour l'IA.")]),
    ("ev-mistral", "Mistral AI", 3, 600e6, "EUR", 600e6, [4, 5], "FR", "Île-de-France", "FR-IDF",
     "private_round", "series_b", "2026-11-05",
     [(2, "Mistral AI lève 600 millions d'euros auprès d'Andreessen Horowitz et Bpifrance."),
      (3, "Mistral AI raised €600 million led by Andreessen Horowitz.")]),
    ("ev-quantix", "Quantix", 6, 12e6, "USD", 11.1e6, [], "US", None, None, "private_round", "series_a",
     "2026-11-10", [(4, "Quantix raised $12 million in a Series A round.")]),
    ("ev-aleph", "Aleph Alpha", 7, 50e6, "EUR", 50e6, [8], "DE", "Baden-Württemberg", "DE-BW", "debt", None,
     "2026-10-20", [(5, "The EIB lends €50 million to Aleph Alpha.")]),
    ("ev-pasqal", "Pasqal", 9, 30e6, "EUR", 30e6, [8], "FR", "Île-de-France", "FR-IDF", "debt", None,
     "2026-11-12", [(6, "La Banque européenne d'investissement prête 30 millions d'euros à Pasqal.")]),
    ("ev-deepcell", "DeepCell", 10, 8e6, "GBP", 9.2e6, [], "GB", "England", "GB-ENG", "private_round", "seed",
     "2026-09-15", [(7, "DeepCell has raised £8m in a seed round.")]),
    ("ev-nabla", "Nabla", 11, 24e6, "USD", 22.3e6, [5], "FR", "Île-de-France", "FR-IDF", "private_round",
     "series_b", "2026-11-18", [(8, "Nabla lève 24 millions de dollars en série B, avec Bpifrance.")]),
]


def build_sample_db(path: str | Path):
    """Write the sample events into a fresh fundwatch database at `path`; returns the open Database."""
    db = open_db(path)
    with db.atomic():
        for aid, url, title, lang, published in ARTICLES:
            db["articles"].insert({
                "id": aid, "url": url, "canonical_url": url, "source": "samples", "title": title,
                "published": published, "lang": lang, "text": title, "content_hash": f"hash-{aid}",
                "fetched_at": f"{published}T08:00:00Z", "status": "processed", "relevant": 1,
            })
        for oid, name, kind, country in ORGS:
            db["organisations"].insert({"id": oid, "name": name, "norm": name.casefold(), "kind": kind,
                                        "country": country})
        names = {oid: name for oid, name, _, _ in ORGS}
        for (eid, recipient, org, amount, currency, eur, investors, country, region, region_code, kind, rnd,
             announced, mentions) in EVENTS:
            langs = sorted({lang for a, _ in mentions for (aid, _, _, lang, _) in ARTICLES if aid == a})
            db["events"].insert({
                "id": eid, "recipient": recipient, "recipient_norm": recipient.casefold(),
                "recipient_org_id": org, "amount": amount, "currency": currency, "amount_eur": eur,
                "investors": json.dumps([names[i] for i in investors], ensure_ascii=False),
                "country": country, "region": region, "region_code": region_code, "kind": kind, "round": rnd,
                "announced": announced, "first_seen": f"{announced}T09:00:00Z",
                "last_seen": f"{announced}T09:00:00Z", "n_sources": len(mentions), "langs": json.dumps(langs),
            })
            db["event_organisations"].insert({"event_id": eid, "org_id": org, "role": "recipient"})
            for inv in investors:
                db["event_organisations"].insert({"event_id": eid, "org_id": inv, "role": "investor"})
            for aid, evidence in mentions:
                db["event_mentions"].insert({
                    "event_id": eid, "article_id": aid, "recipient": recipient, "amount": amount,
                    "currency": currency, "amount_eur": eur, "evidence": evidence, "start": 0,
                    "end": len(evidence), "extractor_version": "samples",
                    "created_at": f"{announced}T09:00:00Z",
                })
    return db


def event_ids(events: list[dict]) -> set[str]:
    return {e["id"] for e in events}
