"""Pure parts of the crawler: article extraction, language choice, kind detection, Retry-After, sources."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse

from crawlers.extract import (
    canonical_url,
    choose_language,
    extract_article,
    language_candidates,
    looks_binary,
)
from crawlers.middlewares import retry_after_seconds
from crawlers.sources import load_sources, parse_sources
from crawlers.spiders.adhoc import detect_kind, root_element

FIXTURES = Path(__file__).parent / "fixtures" / "crawl"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def english():
    return extract_article(fixture("article_en.html"), "http://127.0.0.1:1/news/novabot.html")


@pytest.fixture(scope="module")
def french():
    return extract_article(fixture("article_fr.html"), "http://127.0.0.1:1/news/wallonie.html")


def test_body_keeps_the_article_and_drops_teasers_comments_and_chrome(english):
    assert english.text.startswith("Novabot, a Lyon-based company")  # headline and byline left out
    assert "three utilities" in english.text and "past eighteen months" in english.text
    for noise in ("Quantix", "MediSight", "Read also", "Great news for the Lyon", "cookies",
                  "All rights reserved", "Newsletter"):
        assert noise not in english.text


def test_metadata_of_an_english_article(english):
    assert english.title == "Lyon robotics start-up Novabot raises €12 million to scale its AI inspection platform"
    assert english.published == "2026-03-04"
    assert english.authors == ["Claire Martin"]
    assert english.canonical_url == "https://news.example.org/2026/03/novabot-raises-12-million"
    assert english.lang == "en"


def test_french_article_without_its_a_lire_aussi_teasers(french):
    assert "DigitalWallonia4.AI" in french.text and "20 millions d'euros" in french.text
    assert "600 millions" not in french.text and "Bpifrance" not in french.text
    assert french.published == "2026-02-17"  # from JSON-LD
    assert french.authors == ["Julien Dubois"]
    assert french.lang == "fr"
    assert choose_language(french.lang_candidates) == "fr"


def test_other_languages_are_not_kept():
    german = extract_article(fixture("article_de.html"), "http://127.0.0.1:1/news/muenchen.html")
    assert german.lang == "de"
    assert choose_language(german.lang_candidates) is None
    assert choose_language(german.lang_candidates, ("fr", "en", "de")) == "de"


def test_language_detection_is_deterministic():
    text = "Le fonds investit dans des start-up de l'intelligence artificielle en Europe. " * 3
    assert {tuple(language_candidates(text)) for _ in range(5)} == {tuple(language_candidates(text))}


def test_date_falls_back_to_htmldate():
    html = ("<html><body><article><h1>Title</h1><p>Published <time datetime='2025-12-01'>1 December 2025"
            "</time></p><p>" + "Some words about funding. " * 30 + "</p></article></body></html>")
    assert extract_article(html, "http://127.0.0.1:1/a.html").published == "2025-12-01"


@pytest.mark.parametrize(("head", "expected"), [
    ('<link rel="canonical" href="/2026/a-story">', "http://site.example/2026/a-story"),
    ('<link rel="canonical" href="https://site.example/">', "http://site.example/news/a.html?id=3"),
    ('<meta property="og:url" content="https://other.example/story#top">', "https://other.example/story"),
    ("", "http://site.example/news/a.html?id=3"),
])
def test_canonical_url(head, expected):
    import lxml.html

    tree = lxml.html.document_fromstring(f"<html><head>{head}</head><body><p>x</p></body></html>")
    assert canonical_url(tree, "http://site.example/news/a.html?id=3") == expected


def test_binary_garbage_is_recognised(english):
    rnd = random.Random(1)
    garbage = bytes(rnd.randrange(256) for _ in range(5000)).decode("cp1252", errors="replace")
    assert looks_binary(garbage)
    assert not looks_binary(fixture("article_fr.html"))


def _response(cls: type[Response], url: str, body: bytes, ctype: str) -> Response:
    return cls(url=url, body=body, headers={"Content-Type": ctype}, encoding="utf-8") \
        if issubclass(cls, TextResponse) else cls(url=url, body=body, headers={"Content-Type": ctype})


@pytest.mark.parametrize(("cls", "url", "body", "ctype", "kind"), [
    (TextResponse, "http://x/feed", b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0"></rss>', "text/plain",
     "feed"),
    (XmlResponse, "http://x/atom", b'\xef\xbb\xbf<feed xmlns="http://www.w3.org/2005/Atom"></feed>',
     "application/atom+xml", "feed"),
    (XmlResponse, "http://x/rdf", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
     "application/xml", "feed"),
    (HtmlResponse, "http://x/s", b'<?xml version="1.0"?><urlset xmlns="x"></urlset>', "text/html", "sitemap"),
    (XmlResponse, "http://x/i.xml", b"<sitemapindex></sitemapindex>", "application/xml", "sitemap"),
    (HtmlResponse, "http://x/a.html", b"<!DOCTYPE html><html><body>hi</body></html>", "text/html", "page"),
    (TextResponse, "http://x/robots.txt", b"Sitemap: http://x/s.xml", "text/plain", "sitemap"),
    (Response, "http://x/r.pdf", b"%PDF-1.4 ...", "application/pdf", "other"),
])
def test_detect_kind(cls, url, body, ctype, kind):
    assert detect_kind(_response(cls, url, body, ctype)) == kind


def test_root_element_skips_the_prolog():
    assert root_element(b'<?xml version="1.0"?>\n<!DOCTYPE x>\n<!-- a -->\n<ns:urlset>') == b"urlset"
    assert root_element(b"no markup") is None


def test_retry_after_header():
    assert retry_after_seconds(b"120") == 120.0
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_shipped_sources_cover_french_and_english_outlets():
    sources = load_sources()
    assert len(sources) >= 10
    assert {s.lang for s in sources} == {"fr", "en"}
    assert {s.kind for s in sources} >= {"feed", "listing", "sitemap"}
    assert all(s.url.startswith("https://") for s in sources)
    assert len({s.name for s in sources}) == len(sources)


@pytest.mark.parametrize(("toml", "message"), [
    ('[[source]]\nname="a"\nkind="rss"\nurl="https://x/feed"', "kind"),
    ('[[source]]\nname="a"\nkind="feed"', "url"),
    ('[[source]]\nname="a"\nkind="feed"\nurl="https://x"\nallow=["("]', "regex"),
    ('[[source]]\nname="a"\nurl="https://x"\n[[source]]\nname="a"\nurl="https://y"', "duplicate"),
    ('[[source]]\nname="a"\nurl="https://x"\nlang="de"', "lang"),
    ('[[source]]\nname="a"\nurl="https://x"\nspeed=3', "unknown"),
    ("source = [", "invalid TOML"),
    ("[defaults]\ndelay = 1", "no \\[\\[source\\]\\]"),
])
def test_bad_sources_are_refused_with_a_clear_message(toml, message):
    with pytest.raises(ValueError, match=message):
        parse_sources(toml)


def test_defaults_apply_and_sources_round_trip():
    (source,) = parse_sources('[defaults]\ndelay = 3\n[[source]]\nname = "a"\nurl = "https://x/s.xml"\n'
                              'kind = "sitemap"\ndeny = "/video/"')
    assert source.delay == 3.0 and source.deny == ("/video/",)
    assert type(source).from_dict(source.to_dict()) == source


def test_headline_repeated_at_the_top_of_the_body_is_dropped(english):
    from crawlers.extract import strip_title

    assert not english.text.startswith("Lyon robotics start-up")
    assert strip_title("Big news\nBody text.", "Big News") == "Body text."
    assert strip_title("A headline that is long enough | Site\nBody", "A headline that is long enough | Site name") \
        == "Body"
    assert strip_title("Short\nBody", "Short story about something else") == "Short\nBody"


def test_settings_are_polite_and_overridable(monkeypatch):
    from crawlers.__main__ import build_settings

    monkeypatch.setenv("FUNDWATCH_CONTACT", "mailto:ops@example.org")
    settings = build_settings({"DOWNLOAD_TIMEOUT": 5})
    assert settings.get("USER_AGENT") == "fundwatch/0.1 (+mailto:ops@example.org)"
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert settings.getint("DOWNLOAD_TIMEOUT") == 5 and settings.getint("DOWNLOAD_MAXSIZE") > 0
    assert 429 in settings.getlist("RETRY_HTTP_CODES") or "429" in settings.getlist("RETRY_HTTP_CODES")


def test_a_page_partly_in_french_is_kept_as_french():
    french = ("La start-up a levé dix millions d'euros pour développer son logiciel d'intelligence artificielle "
              "destiné aux hôpitaux de la région. ") * 2
    german = "Das Unternehmen hat zehn Millionen Euro für seine Software eingesammelt und will wachsen. " * 3
    candidates = language_candidates(german + french)
    assert candidates[0][0] == "de"
    assert choose_language(candidates) == "fr"
    assert choose_language(candidates, min_share=0.99) is None


def test_sources_are_grouped_by_site():
    from crawlers.sources import group_by_site

    groups = group_by_site(load_sources())
    assert [s.name for s in groups["eu-startups.com"]] == ["EU-Startups", "EU-Startups funding"]
    assert sum(len(g) for g in groups.values()) == len(load_sources())


def test_inline_read_also_lines_are_dropped_from_the_body():
    from crawlers.extract import drop_teaser_lines

    body = ("Une enveloppe de 20 millions d'euros est votée.\n"
            "Lire aussi : Zorgia lève 4,5 millions d'euros\n"
            "Read more: Acme raises $3m for robots\n"
            "Le programme accompagnera 400 PME.")
    kept = drop_teaser_lines(body)
    assert "Zorgia" not in kept and "Acme" not in kept
    assert kept.startswith("Une enveloppe") and kept.endswith("400 PME.")
