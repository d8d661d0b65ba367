"""General extraction rules: sizes that are not money, false-friend verbs, programmes as recipients,
the round named next to the amount, and sentences split at line breaks (sentences written for these tests)."""

from __future__ import annotations

import pytest

from nlp.money import find_amounts
from nlp.types import Analysis, ArticleIn

FILLER_FR = (
    " Le dispositif doit aider les petites entreprises à adopter l'intelligence artificielle. "
    "Les premiers appels à candidatures seront publiés au printemps."
)
FILLER_EN = (
    " The scheme will help small firms adopt artificial intelligence. "
    "The first calls for applications open in the spring."
)


def run(extractor, text: str, lang: str | None = None, **kw) -> Analysis:
    (result,) = list(extractor([ArticleIn(id="g1", text=text, lang=lang, **kw)]))
    return result


@pytest.mark.parametrize(
    "text",
    [
        "Orbis trained a 40-billion-parameter model on its own chips.",
        "The 3-million-user app added a chatbot.",
        "Le modèle à 12-milliards-paramètres tourne sur un portable.",
    ],
)
def test_compound_sizes_without_currency_are_not_amounts(text):
    assert find_amounts(text) == []


def test_compound_amount_with_a_currency_is_still_money():
    (a,) = find_amounts("Ottawa announced a $12-million investment in the lab.")
    assert (a.value, a.currency) == (12e6, "USD")


def test_model_release_with_parameter_count_is_not_a_funding(nlp_extractor):
    text = (
        "Halcyon Labs launches Halcyon-3, an open model it says beats closed systems at maths\n\n"
        "Halcyon Labs on Monday released Halcyon-3, a 30-billion-parameter language model that matches leading "
        "closed models on reasoning benchmarks. The artificial intelligence lab also published a smaller "
        "4-billion-parameter version for phones, trained on 2,048 GPUs."
    )
    a = run(nlp_extractor, text, lang="en")
    assert not a.relevant, a.reason
    assert a.mentions == []


def test_bare_figure_with_no_currency_anywhere_never_becomes_an_event(nlp_extractor):
    text = (
        "Vantor raises 30 million to grow its machine learning team\n\n"
        "Vantor, a startup building AI agents for accountants, has raised 30 million in a round led by "
        "Northwind Capital. The artificial intelligence company will hire engineers." + FILLER_EN
    )
    a = run(nlp_extractor, text, lang="en")
    assert all(m.currency for m in a.mentions)
    assert not a.mentions, [(m.amount, m.currency) for m in a.mentions]


def test_closed_round_still_counts_as_funding(nlp_extractor):
    text = (
        "Seattle-based Quillon has closed a $22 million Series A round led by Foundry to bring machine "
        "learning to warehouse robots." + FILLER_EN
    )
    a = run(nlp_extractor, text, lang="en")
    (m,) = a.mentions
    assert (m.recipient, m.amount, m.round) == ("Quillon", 22e6, "series_a")


def test_french_envelope_for_a_named_programme_goes_to_the_programme(nlp_extractor):
    text = (
        "Le Gouvernement flamand a validé mardi une enveloppe de 12 millions d'euros pour le programme "
        "DataVlaanderen.AI, qui forme les PME à l'intelligence artificielle." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert m.recipient == "DataVlaanderen.AI"
    assert m.kind == "public_program"
    assert any("Gouvernement" in i for i in m.investors)
    assert m.recipient not in m.investors


def test_english_funding_for_a_named_initiative_goes_to_the_initiative(nlp_extractor):
    text = (
        "The Scottish Government has committed £8 million to the Northern Compute initiative, which gives "
        "universities access to AI supercomputers." + FILLER_EN
    )
    a = run(nlp_extractor, text, lang="en")
    (m,) = a.mentions
    assert m.recipient == "Northern Compute"
    assert (m.amount, m.currency) == (8e6, "GBP")


def test_own_programme_of_a_raiser_is_not_the_recipient(nlp_extractor):
    text = (
        "La start-up bordelaise Pixora lève 6 millions d'euros pour son programme de recherche en "
        "vision par ordinateur, auprès d'Elaia." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert m.recipient == "Pixora"


def test_round_named_next_to_the_amount_beats_an_earlier_round(nlp_extractor):
    text = (
        "Lexora lève 9 millions d'euros pour son IA juridique\n\n"
        "Lexora, jeune pousse lilloise de l'intelligence artificielle, annonce une levée de fonds de 9 millions "
        "d'euros. Ce tour de série A est mené par Eurazeo, aux côtés d'Elaia, qui avait déjà participé au tour "
        "d'amorçage de la société." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert (m.recipient, m.round) == ("Lexora", "series_a")


def test_evidence_does_not_glue_the_title_to_the_first_sentence(nlp_extractor):
    body = (
        "La start-up rennaise Ombrel a levé 4 millions d'euros auprès de Kima Ventures pour son IA de "
        "prévision météo." + FILLER_FR
    )
    a = run(nlp_extractor, body, lang="fr", title="Ombrel lève 4 millions d'euros")
    for m in a.mentions:
        assert "\n" not in m.evidence
        assert not m.evidence.startswith("Ombrel lève 4 millions d'euros\n")


def test_line_breaks_end_sentences():
    from nlp.models import load_model
    from nlp.sentences import sentences

    doc = load_model("fr")("Un titre sans point\n\nLa start-up Zélia lève des fonds. Elle recrute.")
    texts = [s.text.strip() for s in sentences(doc)]
    assert texts[0] == "Un titre sans point"
    assert texts[1].startswith("La start-up Zélia")


def test_investee_and_former_employer_are_not_investors(nlp_extractor):
    text = (
        "Fondée par d'anciens chercheurs de Meta et Google, la start-up parisienne Noctis lève 20 millions "
        "d'euros. Le tour de table est mené par Sequoia Capital, qui a aussi investi dans Github."
        + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert m.recipient == "Noctis"
    assert "Sequoia Capital" in m.investors
    assert not {"Meta", "Google", "Github"} & set(m.investors)


def test_subject_of_obtained_grant_is_the_recipient_and_operator_funder_invests(nlp_extractor):
    text = (
        "Plan Horizon 2030 : Sylvo décroche 2 millions d'euros\n\n"
        "La start-up bordelaise Sylvo a obtenu une subvention de 2 millions d'euros dans le cadre du plan "
        "Horizon 2030, opéré par Bpifrance, pour ses modèles d'intelligence artificielle." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert (m.recipient, m.kind) == ("Sylvo", "grant")
    assert "Bpifrance" in m.investors


def test_belgian_subside_is_a_grant(nlp_extractor):
    text = (
        "La start-up namuroise Signa a reçu un subside de 400 000 euros de la Région pour son intelligence "
        "artificielle de lecture labiale." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert m.kind == "grant"


def test_investor_after_aupres_de_in_a_later_sentence(nlp_extractor):
    text = (
        "Brest : Maréa lève 900 000 euros pour son IA de routage des navires\n\n"
        "Maréa, jeune pousse brestoise, a levé 900 000 euros lors d'un tour de pré-amorçage auprès de Kima "
        "Ventures et de plusieurs business angels." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert m.recipient == "Maréa" and m.round == "pre-seed"
    assert m.investors == ["Kima Ventures"]


def test_lead_named_with_aux_cotes_de_is_the_only_lead(nlp_extractor):
    text = (
        "La start-up lilloise Orvane lève 7 millions d'euros pour son IA de logistique. Ce tour de série A "
        "est mené par Partech, aux côtés d'Eurazeo et de Bpifrance." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert m.lead_investors == ["Partech"]
    assert {"Partech", "Eurazeo", "Bpifrance"} <= set(m.investors)


def test_parent_university_of_a_spin_off_is_not_an_investor_and_noshaq_is_its_own_fund(nlp_extractor):
    text = (
        "La spin-off de l'UCLouvain Vectis boucle un tour d'amorçage de 3 millions d'euros mené par Noshaq, "
        "avec Wallonie Entreprendre, pour son intelligence artificielle industrielle." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert "Noshaq" in m.investors and "Wallonie Entreprendre" in m.investors
    assert "UCLouvain" not in m.investors
    assert m.lead_investors == ["Noshaq"]


def test_single_lender_of_a_loan_leads_it(nlp_extractor):
    text = (
        "La BEI accorde un prêt de 25 millions d'euros à la grenobloise Siloxa\n\n"
        "Siloxa a obtenu un prêt de 25 millions d'euros de la Banque européenne d'investissement pour ses "
        "puces d'intelligence artificielle." + FILLER_FR
    )
    a = run(nlp_extractor, text, lang="fr")
    (m,) = a.mentions
    assert (m.recipient, m.kind) == ("Siloxa", "debt")
    assert m.lead_investors == m.investors == ["European Investment Bank"]
