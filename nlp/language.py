"""Language of an article: langdetect with a fixed seed, so re-runs give the same answer."""

from __future__ import annotations

import re

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0

SUPPORTED = ("fr", "en")
_SAMPLE_CHARS = 3000
_MIN_LETTERS = 20

_FR_WORDS = re.compile(r"\b(?:le|la|les|des|une|est|dans|pour|avec|sur|qui|d['’]|l['’])\b", re.I)
_EN_WORDS = re.compile(r"\b(?:the|and|of|to|in|is|for|with|that|has|on)\b", re.I)


def detect_language(text: str, hint: str | None = None) -> str | None:
    """Two-letter language code, or None when the text has too few letters to tell.

    langdetect is unreliable on short or mixed texts: when it is unsure about a short text, counting
    French and English function words decides, and a hint (the source's declared language) breaks
    near-ties.
    """
    sample = (text or "")[:_SAMPLE_CHARS]
    letters = sum(ch.isalpha() for ch in sample)
    if letters < _MIN_LETTERS:
        return hint if hint in SUPPORTED else None
    try:
        guesses = detect_langs(sample)
    except LangDetectException:
        return hint if hint in SUPPORTED else None
    best = guesses[0]
    if letters < 200 and best.prob < 0.9:
        # short and unsure: count French and English function words, when one clearly dominates
        fr, en = len(_FR_WORDS.findall(sample)), len(_EN_WORDS.findall(sample))
        if max(fr, en) >= 3 and min(fr, en) * 2 < max(fr, en):
            return "fr" if fr > en else "en"
    if hint and best.prob < 0.8 and any(g.lang == hint for g in guesses):
        return hint
    return best.lang
