"""Language detection: deterministic, French/English kept, others and empty texts recorded."""

from __future__ import annotations

import pytest

from nlp.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("La jeune pousse a annoncé une levée de fonds pour développer ses modèles de langage.", "fr"),
        ("The startup announced a funding round to develop its language models for banks.", "en"),
        ("Das Unternehmen hat eine Finanzierungsrunde abgeschlossen und will weiter wachsen.", "de"),
    ],
)
def test_detects_language(text, lang):
    assert detect_language(text) == lang


def test_is_deterministic():
    text = "IA : la start-up lève des fonds. AI startup raises funds."
    assert len({detect_language(text) for _ in range(5)}) == 1


def test_too_little_text_uses_hint_or_none():
    assert detect_language("12 345 $", hint="fr") == "fr"
    assert detect_language("12 345 $") is None
    assert detect_language("") is None
