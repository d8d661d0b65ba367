"""Article extraction from one HTML page: body, title, date, authors, canonical URL, language.

Pure functions (no I/O, no Scrapy) so the same code re-extracts stored HTML later.
Body: trafilatura tuned for precision (no comments, no teasers); date: page metadata, then htmldate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import htmldate
import lxml.html
import trafilatura
from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0  # langdetect is random by default; fixed seed = same answer every run

# trafilatura options chosen on a body-extraction benchmark (see BENCHMARKS.md, "Crawl"):
# precision-oriented, comments excluded, tables kept.
TRAFILATURA_OPTIONS = {"favor_precision": True, "include_comments": False, "include_tables": True}
LANG_SAMPLE_CHARS = 3000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


@dataclass
class Extracted:
    text: str = ""
    title: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    lang: str | None = None  # best guess, any language
    html_lang: str | None = None
    lang_candidates: list[tuple[str, float]] = field(default_factory=list)

    @property
    def words(self) -> int:
        return len(self.text.split())


def looks_binary(html: str, sample: int = 4096) -> bool:
    """True for bytes that are not text (e.g. an image served as text/html): many control/replacement chars."""
    head = html[:sample]
    if not head:
        return False
    return "\x00" in head or len(_CONTROL.findall(head)) > 0.05 * len(head)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def canonical_url(tree: lxml.html.HtmlElement | None, url: str) -> str:
    """The page's declared canonical URL (rel=canonical, then og:url), absolute; `url` when absent or absurd.

    A canonical pointing at a site's home page (a common template bug) would merge every article into
    one, so it is ignored unless the page itself is the home page.
    """
    if tree is None:
        return url
    candidates = tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href')
    candidates += tree.xpath('//meta[@property="og:url"]/@content')
    for href in candidates:
        href = href.strip()
        if not href:
            continue
        absolute = urljoin(url, href)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue
        if parts.path in ("", "/") and not parts.query and urlsplit(url).path not in ("", "/"):
            continue
        return absolute.split("#", 1)[0]
    return url


def language_candidates(text: str) -> list[tuple[str, float]]:
    """langdetect's (language, probability) list for `text`, best first; deterministic (fixed seed)."""
    sample = text[:LANG_SAMPLE_CHARS]
    if not sample.strip():
        return []
    try:
        return [(c.lang, c.prob) for c in detect_langs(sample)]
    except LangDetectException:
        return []


def choose_language(
    candidates: list[tuple[str, float]], wanted: tuple[str, ...] = ("fr", "en"), *,
    min_share: float = 0.1, hint: str | None = None,
) -> str | None:
    """The wanted language the text is (at least partly) written in, or None when it is in none of them.

    langdetect samples n-grams at random; a wanted language reaching `min_share` of the samples means
    the body really contains that language (mixed pages, tables of names), so the page is kept.
    `hint` (source or <html lang>) breaks near-ties.
    """
    kept = [(lang, p) for lang, p in candidates if lang in wanted and p >= min_share]
    return _best(kept, hint)


def detect_language(text: str, hint: str | None = None) -> str | None:
    """Best-guess ISO 639-1 code of `text`, whatever the language (None when undecidable)."""
    return _best(language_candidates(text), hint)


def _best(candidates: list[tuple[str, float]], hint: str | None) -> str | None:
    if not candidates:
        return None
    best_lang, best_p = candidates[0]
    if hint and hint != best_lang:
        for lang, p in candidates[1:]:
            if lang == hint and p >= best_p - 0.2:
                return hint
    return best_lang


def _html_lang(tree: lxml.html.HtmlElement | None) -> str | None:
    if tree is None:
        return None
    values = tree.xpath("/html/@lang") or tree.xpath('//meta[@http-equiv="content-language"]/@content')
    if not values:
        return None
    code = values[0].strip().lower()[:2]
    return code if code.isalpha() and len(code) == 2 else None


def _published(tree: lxml.html.HtmlElement | None, meta_date: str | None) -> str | None:
    if meta_date:
        return meta_date
    if tree is None:
        return None
    try:
        return htmldate.find_date(tree, original_date=True, extensive_search=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None


def _authors(raw: str | None) -> list[str]:
    if not raw:
        return []
    seen: list[str] = []
    for part in re.split(r";|\n", raw):
        name = part.strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def _fold(text: str | None) -> str:
    return re.sub(r"\W+", " ", text or "").strip().casefold()


def strip_title(text: str, title: str | None) -> str:
    """The body without a first line that repeats the headline (kept apart in `title`)."""
    first, _, rest = text.partition("\n")
    head, full = _fold(first), _fold(title)
    if head and full and (head == full or (len(head) >= 25 and full.startswith(head))):
        return rest.lstrip()
    return text


# Inline "read also" links that sites drop between paragraphs: they name other companies' rounds.
TEASER_LINE = re.compile(
    r"^\W*(?:[àa]\s+lire\s+(?:aussi|[ée]galement)|lire\s+(?:aussi|[ée]galement|la\s+suite)|voir\s+aussi"
    r"|sur\s+le\s+m[êe]me\s+sujet|read\s+(?:also|more)|see\s+also|related(?:\s+(?:articles?|stories|reading))?"
    r"|more\s+on\s+this|recommended)\b\s*[:>»-]",
    re.IGNORECASE,
)


def drop_teaser_lines(text: str, max_len: int = 250) -> str:
    """Remove short lines that introduce a link to another article (e.g. "Lire aussi : X lève 4 M€")."""
    kept = [line for line in text.split("\n") if not (len(line) <= max_len and TEASER_LINE.match(line))]
    return "\n".join(kept)


def extract_article(html: str, url: str, *, lang_hint: str | None = None) -> Extracted:
    """Everything fundwatch keeps of an article page; an empty `text` means no article body was found."""
    tree = _parse(html)
    if tree is None:
        return Extracted(canonical_url=url)
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, date_extraction_params={"original_date": True,
                                                                     "extensive_search": False},
        **TRAFILATURA_OPTIONS,
    )
    text = (doc.text if doc is not None else "") or ""
    title = doc.title.strip() if doc is not None and doc.title else None
    text = drop_teaser_lines(strip_title(text.strip(), title))
    html_lang = _html_lang(tree)
    candidates = language_candidates(text)
    return Extracted(
        text=text,
        title=title,
        published=_published(tree, doc.date if doc is not None else None),
        authors=_authors(doc.author if doc is not None else None),
        canonical_url=canonical_url(tree, url),
        lang=_best(candidates, lang_hint or html_lang),
        html_lang=html_lang,
        lang_candidates=candidates,
    )
