"""`fundwatch extract` (flows.extract.extract_file): one event id per real-world event in a batch,
EUR amounts, clear errors on bad input, no half-written output. Real spaCy extractor."""

from __future__ import annotations

import json

import pytest

from flows.extract import InputError, extract_file

FR_ROUND = (
    "La start-up lyonnaise Veltrio, spécialisée dans l'intelligence artificielle pour la logistique, lève "
    "8 millions d'euros auprès d'Eurazeo et de Bpifrance. L'entreprise veut doubler son équipe d'ingénieurs "
    "en apprentissage automatique et s'implanter en Espagne d'ici la fin de l'année prochaine."
)
EN_ROUND = (
    "Lyon-based Veltrio, which builds artificial intelligence for logistics, has raised $8.7 million from "
    "Eurazeo and Bpifrance. The startup plans to double its machine learning team and expand to Spain "
    "by the end of next year, its founders said."
)
SERIES_A = (
    "Veltrio, the Lyon-based artificial intelligence startup for logistics, has raised €40 million in a "
    "Series A round led by Balderton Capital to bring its AI planning software to German warehouses."
)
NEGATIVE = (
    "Plusieurs entrepôts français testent des outils d'intelligence artificielle pour prévoir les "
    "livraisons. Les syndicats demandent davantage de transparence sur ces modèles. Aucun déploiement "
    "général n'est prévu cette année."
)


@pytest.fixture(scope="module")
def extractor():
    """The real extractor; spaCy models are cached per process, so they load once per session."""
    from nlp import extract

    return extract

EVENT_FIELDS = {"recipient", "amount", "currency", "amount_eur", "investors", "country", "region", "kind",
                "round", "event_id", "evidence"}


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_batch_gives_one_event_id_per_event(tmp_path, extractor):
    src = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "fr", "text": FR_ROUND, "lang": "fr", "published": "2024-03-04", "title": "Veltrio lève 8 M€"},
        {"id": "neg", "text": NEGATIVE},
        {"id": "en", "text": EN_ROUND, "published": "2024-03-06", "url": "https://x.example/en"},
        {"id": "a", "text": SERIES_A, "published": "2025-02-11"},
    ])
    seen = []
    counts = extract_file(src, tmp_path / "out" / "out.jsonl", progress=seen.append)
    out = {r["id"]: r for r in read_jsonl(tmp_path / "out" / "out.jsonl")}

    assert list(out) == ["fr", "neg", "en", "a"] and sum(seen) == 4
    assert counts["records"] == 4 and counts["events"] == 2
    assert out["neg"]["relevant"] is False and out["neg"]["events"] == []
    [fr], [en], [a] = out["fr"]["events"], out["en"]["events"], out["a"]["events"]
    assert set(fr) >= EVENT_FIELDS
    assert {"id", "lang", "relevant", "score", "events"} <= set(out["fr"])
    assert fr["event_id"] == en["event_id"] != a["event_id"]
    assert en["currency"] == "USD" and en["amount"] == 8.7e6
    # ECB rate of 6 March 2024 (about 1.09 USD per EUR)
    assert en["amount_eur"] == pytest.approx(8.7e6 / 1.09, rel=0.01)
    assert fr["amount_eur"] == 8e6
    assert fr["recipient"] == en["recipient"] == "Veltrio"


def test_bad_json_line_is_named_and_nothing_is_written(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "1", "text": "Veltrio lève 8 millions d\'euros."}\n{"id": "2", "text": \n',
                   encoding="utf-8")
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        extract_file(src, tmp_path / "out.jsonl")
    assert list(tmp_path.iterdir()) == [src]


@pytest.mark.parametrize(("line", "message"), [
    ('{"text": "x"}', "line 1: missing field"),
    ('{"id": "1"}', "line 1: missing field"),
    ('["id", "text"]', "line 1: expected a JSON object"),
    ('{"id": "1", "text": "x", "published": 2024}', "'published' must be a string"),
])
def test_missing_or_wrong_fields(tmp_path, line, message):
    src = tmp_path / "in.jsonl"
    src.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        extract_file(src, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_a_crash_leaves_the_previous_output_untouched(tmp_path, extractor):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "fr", "text": FR_ROUND}, {"id": "en", "text": EN_ROUND}])
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n", encoding="utf-8")

    def crash(n):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        extract_file(src, out, progress=crash)
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
