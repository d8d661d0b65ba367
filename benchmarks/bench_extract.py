"""Extraction throughput: `nlp.extract.analyse` on 1 and 2 processes next to bare spaCy `nlp.pipe`.

    .venv/bin/python -m benchmarks.bench_extract [--texts 400] [--repeat 3] [--quick]

The texts are the demo site's article bodies (fr and en, extracted from its HTML the way the crawler
does), repeated with their figures and names varied so no two are equal. "bare spaCy" is the same
model with the same exclusions as nlp.models but without fundwatch's components, over the same texts
grouped by language: the ratio fundwatch / bare says what language detection, the gazetteers, the
amount matcher and event assembly cost on top of spaCy itself. Each figure is the median of
`--repeat` interleaved runs (the machine is shared).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import statistics
import time
from collections.abc import Callable

from benchmarks import ROOT, machine

SITE = ROOT / "flows" / "demo_site"


def demo_texts() -> list[dict]:
    """(lang, title, text) of every demo article the crawler would keep."""
    from crawlers.extract import extract_article

    out = []
    for path in sorted(SITE.rglob("*.html")):
        if path.name == "index.html":
            continue
        raw = path.read_bytes()
        html = raw.decode("utf-8") if b"charset=\"utf-8\"" in raw.lower() or b"charset=utf-8" in raw.lower() \
            else raw.decode("cp1252", errors="replace")
        found = extract_article(html, f"https://demo.example/{path.relative_to(SITE)}")
        if found.text and len(found.text) > 300:
            out.append({"title": found.title, "text": found.text, "lang": found.lang})
    return out


SYLLABLES = ["ra", "to", "mi", "ka", "lo", "ne", "vi", "su", "de", "po"]


def _suffix(k: int) -> str:
    out = ""
    while k:
        k, d = divmod(k, len(SYLLABLES))
        out += SYLLABLES[d]
    return out


def recipients() -> list[str]:
    """Organisation names of the demo articles' events (from the site's expected.json)."""
    import json

    truth = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))
    names = {e["recipient"] for t in truth.values() for e in t.get("events") or [] if e.get("recipient")}
    return sorted((n for n in names if len(n) > 3), key=len, reverse=True)


def corpus(n: int) -> list[dict]:
    """n distinct articles: the demo texts, copy k with its small numbers shifted by k and its
    companies renamed (Nebulia -> Nebuliarato), so copies report different fundings, as a real backlog does."""
    base = demo_texts()
    names = recipients()
    pattern = re.compile("|".join(re.escape(n) for n in names))
    records = []
    for i in range(n):
        src = base[i % len(base)]
        k = i // len(base)
        text, title = (re.sub(r"\d+", lambda m, k=k: str(int(m.group(0)) + k) if len(m.group(0)) < 4 else m.group(0),
                              t) for t in (src["text"], src["title"] or ""))
        if k:
            text = pattern.sub(lambda m, k=k: m.group(0) + _suffix(k), text)
            title = pattern.sub(lambda m, k=k: m.group(0) + _suffix(k), title)
        records.append({"id": str(i), "title": title, "text": text, "lang": src["lang"]})
    return records


def bare_models() -> dict[str, object]:
    import spacy

    from nlp.models import _UNUSED, MAX_CHARS, model_name

    models = {}
    for lang in ("fr", "en"):
        nlp = spacy.load(model_name(lang), exclude=list(_UNUSED))
        nlp.max_length = MAX_CHARS + 1000
        models[lang] = nlp
    return models


def run_bare(models: dict, records: list[dict], batch_size: int, n_process: int = 1) -> int:
    """spaCy alone over the same texts, grouped by language as analyse() groups them."""
    words = 0
    for lang, nlp in models.items():
        texts = [r["text"] for r in records if r["lang"] == lang]
        for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            words += len(doc)
    return words


def run_fundwatch(records: list[dict], batch_size: int) -> int:
    from nlp.extract import analyse

    return sum(len(a.mentions) for a in analyse(records, batch_size=batch_size))


def _worker(chunk: list[dict]) -> int:
    return run_fundwatch(chunk, 32)


def run_fundwatch_procs(pool, records: list[dict], n: int) -> int:
    """Contiguous halves to the pool's processes (forked after the models loaded: no reload)."""
    size = (len(records) + n - 1) // n
    return sum(pool.map(_worker, [records[i:i + size] for i in range(0, len(records), size)]))


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--quick", action="store_true", help="60 texts, one run each")
    args = ap.parse_args(argv)
    if args.quick:
        args.texts, args.repeat = 60, 1

    from nlp.models import load_model

    records = corpus(args.texts)
    chars = sum(len(r["text"]) for r in records)
    langs = {lang: sum(r["lang"] == lang for r in records) for lang in ("fr", "en")}
    started = time.perf_counter()
    load_model("fr"), load_model("en")
    load_s = time.perf_counter() - started
    bare = bare_models()
    run_fundwatch(records[:8], 8)  # warm-up: lazy tables, first-call costs
    run_bare(bare, records[:8], 8)
    words = run_bare(bare, records, args.batch_size)

    times: dict[str, list[float]] = {k: [] for k in ("bare1", "fw1", "bare2", "fw2")}
    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        pool.map(_worker, [records[:2], records[2:4]])  # the workers' first call out of the timing
        for _ in range(args.repeat):
            times["bare1"].append(timed(lambda: run_bare(bare, records, args.batch_size)))
            times["fw1"].append(timed(lambda: run_fundwatch(records, args.batch_size)))
            times["bare2"].append(timed(lambda: run_bare(bare, records, args.batch_size, n_process=2)))
            times["fw2"].append(timed(lambda: run_fundwatch_procs(pool, records, 2)))
    med = {k: statistics.median(v) for k, v in times.items()}
    rate = {k: args.texts / v for k, v in med.items()}
    result = {
        "texts": args.texts, "chars": chars, "words": words, "langs": langs, "model_load_s": load_s,
        "median_s": med, "texts_per_s": rate,
        "ratio_1": rate["fw1"] / rate["bare1"], "ratio_2": rate["fw2"] / rate["bare2"],
        "speedup_fw": rate["fw2"] / rate["fw1"], "speedup_bare": rate["bare2"] / rate["bare1"],
    }
    print(f"machine: {machine()}")
    print(f"{args.texts} texts ({langs['fr']} fr, {langs['en']} en), {chars / args.texts:.0f} chars and "
          f"{words / args.texts:.0f} tokens on average; models loaded in {load_s:.1f} s; "
          f"median of {args.repeat} run(s), batch size {args.batch_size}")
    print("| pipeline | processes | s | texts/s | tokens/s | fundwatch / bare |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for key, label, procs, ratio in (("bare1", "bare spaCy `nlp.pipe`", 1, ""),
                                     ("fw1", "fundwatch `analyse`", 1, f"{result['ratio_1']:.2f}"),
                                     ("bare2", "bare spaCy `nlp.pipe(n_process=2)`", 2, ""),
                                     ("fw2", "fundwatch `analyse`, 2 forked processes", 2,
                                      f"{result['ratio_2']:.2f}")):
        print(f"| {label} | {procs} | {med[key]:.1f} | {rate[key]:.1f} | {words / med[key]:,.0f} | {ratio} |")
    print(f"2 processes vs 1: fundwatch x{result['speedup_fw']:.2f}, bare spaCy x{result['speedup_bare']:.2f}")
    return result


if __name__ == "__main__":
    main()
