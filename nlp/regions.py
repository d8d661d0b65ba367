"""Country and region of a recipient from gazetteer place mentions (doc.spans["places"])."""

from __future__ import annotations

from collections import defaultdict

from spacy.tokens import Doc, Span

from nlp.sentences import sent_of

# currencies that pin a country when nothing else does
CURRENCY_COUNTRY = {
    "CAD": "CA", "GBP": "GB", "CHF": "CH", "INR": "IN", "SGD": "SG", "KRW": "KR", "JPY": "JP",
    "AUD": "AU", "NZD": "NZ", "HKD": "HK", "CNY": "CN", "SEK": "SE", "NOK": "NO", "DKK": "DK",
    "PLN": "PL", "BRL": "BR", "AED": "AE", "XOF": None,
}
# "$" alone means the local dollar in these countries' press
LOCAL_DOLLAR = {"CA": "CAD", "SG": "SGD", "AU": "AUD", "NZ": "NZD", "HK": "HKD"}
COUNTRY_CURRENCY = {
    "FR": "EUR", "BE": "EUR", "LU": "EUR", "DE": "EUR", "NL": "EUR", "IT": "EUR", "ES": "EUR", "PT": "EUR",
    "IE": "EUR", "FI": "EUR", "AT": "EUR", "EE": "EUR", "GB": "GBP", "CH": "CHF", "US": "USD", "CA": "CAD",
    "IN": "INR", "SG": "SGD", "JP": "JPY", "KR": "KRW", "AU": "AUD", "SE": "SEK", "NO": "NOK", "DK": "DKK",
    "PL": "PLN", "IL": "USD", "CN": "CNY", "AE": "AED", "BR": "BRL", "MA": "MAD", "TN": "TND", "SN": "XOF",
    "CI": "XOF",
}


def resolve_location(doc: Doc, recipient_spans: list[Span], evidence: Span, currency: str | None,
                     lang: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(country, region, region_code) for the recipient.

    A place glued to the recipient ("la start-up parisienne X", "Paris-based X", "X, a French
    startup") weighs most, then places in the evidence sentence, then how often a country is named in
    the article; the currency breaks ties when nothing is named.
    """
    scores: dict[str, float] = defaultdict(float)
    regions: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    for span in doc.spans.get("places", []):
        place, based = span._.place
        w = 0.5
        if sent_of(span) == sent_of(evidence) or sent_of(span).start == sent_of(evidence).start:
            w += 1.5
        best_gap = min((min(abs(span.start - r.end), abs(r.start - span.end)) for r in recipient_spans
                        if sent_of(span).start == sent_of(r).start), default=None)
        if best_gap is not None and best_gap <= 8:
            # the closer the better: "la start-up parisienne X" beats "le géant américain Y rachète X"
            w += (3.5 if (place.demonym or based) else 2.0) - 0.3 * best_gap
        if sent_of(span).start <= 1 or span.start_char < 300:
            w += 0.5
        if place.demonym or based:
            w *= 1.3
        scores[place.country] += w
        if place.region:
            regions[place.country][(place.region, place.region_code)] += w
    cur_country = CURRENCY_COUNTRY.get(currency or "")
    if cur_country:
        scores[cur_country] += 1.0
    if not scores:
        # nothing named: the press of the language's main country is the likeliest source
        fallback = "FR" if lang == "fr" else {"USD": "US"}.get(currency or "") if lang == "en" else None
        return fallback, None, None
    country = max(scores, key=scores.get)
    region = region_code = None
    if regions.get(country):
        region, region_code = max(regions[country], key=regions[country].get)
    return country, region, region_code
