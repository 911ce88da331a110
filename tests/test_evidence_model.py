"""The evidence model on hand-written cases of each failure class of issue 11."""

from __future__ import annotations

import pytest

from conftest import WATCHLIST
from rassegna.config import load_watchlist
from rassegna.matching.matcher import Candidate, Matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlist(WATCHLIST))


def decide(matcher: Matcher, text: str, name: str) -> list[Candidate]:
    return [c for c in matcher.match(text) if c.entity_name == name]


def test_a_namesake_in_the_companys_own_town_is_not_confirmed_by_the_town(matcher):
    text = "A Villorba ha riaperto la trattoria di Aton Bianchi, con il menù di stagione."
    assert not any(c.accepted for c in decide(matcher, text, "Aton"))


def test_another_business_beside_the_name_vetoes_it(matcher):
    text = "La pasticceria Santini di Bergamo ha vinto il premio per il miglior panettone."
    (c,) = decide(matcher, text, "Santini")
    assert not c.accepted and c.rule == "adjacent-business" and c.evidence == "pasticceria"


def test_a_business_named_after_the_surname_with_di_is_another_business(matcher):
    text = "Al bar di Santini, in centro a Bergamo, si sono ritrovati i tifosi del ciclismo."
    (c,) = decide(matcher, text, "Santini")
    assert not c.accepted and c.rule == "adjacent-business"


def test_another_owners_product_is_not_the_company(matcher):
    text = "The Aton platform of Fabrikam helps retailers with supply chain software."
    (c,) = decide(matcher, text, "Aton")
    assert not c.accepted and c.rule == "other-owner"


def test_a_sector_word_far_from_the_name_does_not_confirm_it(matcher):
    text = (
        "Aton è il nome della nuova app di meditazione lanciata da due studenti di Padova.\n"
        "Nel resto del settore, le aziende di software gestionale crescono del 4%."
    )
    (c,) = decide(matcher, text, "Aton")
    assert not c.accepted and c.rule == "weak-only"


def test_a_sportsman_stays_a_person_in_his_later_bare_mentions(matcher):
    text = (
        "Marco Santini ha vinto la gran fondo di domenica davanti a trecento ciclisti.\n"
        "Santini ha staccato tutti sull'ultima salita: la maglia di campione regionale è sua."
    )
    found = decide(matcher, text, "Santini")
    assert [c.rule for c in found] == ["person", "person-chain"]
    assert not any(c.accepted for c in found)


def test_the_company_is_confirmed_once_and_its_bare_mentions_follow(matcher):
    text = (
        "Santini Cycling ha chiuso l'anno in crescita.\n"
        "Santini ha annunciato nuove assunzioni."
    )
    found = decide(matcher, text, "Santini")
    assert [c.accepted for c in found] == [True, True]
    assert found[1].rule == "same-article"


def test_a_watchlist_namesake_weighs_against_the_name(matcher):
    text = "Rain ha presentato i nuovi tag RFID UHF per la logistica di magazzino."
    (c,) = decide(matcher, text, "Rain")
    assert not c.accepted
    assert "namesake:RAIN RFID" in c.evidence_against


def test_a_foreign_namesake_is_not_confirmed_by_its_state(matcher):
    text = "Innovit, a consulting firm in Sacramento, California, opened a second office."
    assert not any(c.accepted for c in decide(matcher, text, "INNOVIT"))


@pytest.mark.parametrize(
    "text",
    [
        "Imprese vincenti, il programma di Intesa Sanpaolo, apre le candidature della nuova edizione.",
        "Al via la sesta edizione di imprese Vincenti: Intesa Sanpaolo e Banca dei Territori presentano le tappe.",
    ],
)
def test_the_programme_in_another_casing_with_its_own_context(matcher, text):
    (c,) = decide(matcher, text, "Imprese Vincenti")
    assert c.accepted


def test_the_everyday_phrase_is_not_the_programme_even_near_the_bank(matcher):
    text = "Le imprese vincenti della gara d'appalto hanno aperto un conto presso Intesa Sanpaolo."
    (c,) = decide(matcher, text, "Imprese Vincenti")
    assert not c.accepted and c.rule == "everyday-phrase"


def test_every_candidate_carries_score_and_evidence(matcher):
    text = "Giorgio De Nardi, fondatore di Aton, ha presentato il nuovo software a Villorba."
    (c,) = decide(matcher, text, "Aton")
    assert c.accepted and c.rule == "person-of" and c.score >= 2.0
    assert c.evidence_for.startswith("person-of:Giorgio De Nardi@sentence")


def test_a_company_word_ending_the_name_is_weak_evidence_of_a_company(matcher):
    # "Group" says as much as "l'azienda" beside the name: with the mission's word it confirms.
    text = "Manta Group ha chiuso l'anno con il nuovo contratto nato dalla missione in California."
    (c,) = decide(matcher, text, "Manta Group")
    assert c.accepted and "company-noun:Group@form" in c.evidence_for


def test_a_longer_name_is_another_firm_and_gets_no_company_word(matcher):
    text = "Manta Group Viaggi ha chiuso l'anno con il nuovo contratto nato dalla missione in California."
    (c,) = decide(matcher, text, "Manta Group")
    assert "company-noun:Group@form" not in c.evidence_for and not c.accepted


def test_a_namesake_word_beside_another_occurrence_of_the_name_is_not_against_this_one(matcher):
    # The car's word sits by the car's "Manta": it tells the article holds the other meaning
    # (article level), not that this occurrence is the car.
    text = ("Al raduno di Foggia sfilava anche una Opel Manta rossa; poco più in là lo stand di Manta Group "
            "mostrava pannelli in composito per elicotteri.")
    (c,) = decide(matcher, text, "Manta Group")
    assert c.accepted
    assert "namesake:the Opel Manta (Opel)@article" in c.evidence_against


def test_a_namesake_word_beside_this_occurrence_still_counts_in_full(matcher):
    text = "Il club dei collezionisti ha restaurato una Opel Manta Group A da rally, esposta a Foggia."
    (c,) = decide(matcher, text, "Manta Group")
    assert not c.accepted
    assert "namesake:the Opel Manta (Opel)@sentence" in c.evidence_against


def test_a_legal_form_after_the_name_is_not_another_firms_longer_name(matcher):
    (c,) = decide(matcher, "Manta Group SpA ha chiuso l'anno con un contratto nato dalla missione.", "Manta Group")
    assert "company-noun:Group@form" in c.evidence_for


def test_the_companys_own_trade_as_the_noun_before_the_name_is_a_company_noun(matcher):
    text = "Il maglificio Santini ha vestito la squadra vincitrice del giro delle Orobie con le nuove maglie."
    (c,) = decide(matcher, text, "Santini")
    assert c.accepted and "company-noun:maglificio@beside" in c.evidence_for


def test_the_trade_noun_alone_is_still_one_kind_of_weak_evidence(matcher):
    # The word says "a knitwear company called Santini" once: not also a sector word.
    (c,) = decide(matcher, "Il maglificio Santini ha chiuso.", "Santini")
    assert not c.accepted
    assert "company-noun:maglificio@beside" in c.evidence_for
    assert not any(e.startswith("sector:maglificio") for e in c.evidence_for.split("; "))


def test_another_trade_before_the_name_is_no_company_noun_of_ours(matcher):
    text = "Il panificio Santini ha vestito a festa la vetrina per il giro delle Orobie."
    assert not any(c.accepted for c in decide(matcher, text, "Santini"))


def test_a_business_named_for_its_trade_before_the_name_is_another_business(matcher):
    text = "A Valencia il negozio di arredamento Las Mobili vende cucine su misura da dieci anni."
    (c,) = decide(matcher, text, "Las Mobili")
    assert not c.accepted and c.rule == "adjacent-business" and c.evidence == "negozio di arredamento"


def test_a_business_word_used_as_an_adjective_is_no_business(matcher):
    # "alimentari" qualifies the liquids here: the sentence is about Galdi's machines.
    text = "Le riempitrici per liquidi alimentari di Galdi partono da Postioma verso cinque continenti."
    (c,) = decide(matcher, text, "Galdi")
    assert c.accepted and c.rule != "adjacent-business"


def test_a_business_word_used_as_a_verb_after_the_name_is_no_business(matcher):
    text = "A Cerro Maggiore Rain mostra la nuova centralina per l'irrigazione dei giardini."
    (c,) = decide(matcher, text, "Rain")
    assert c.accepted and c.rule != "adjacent-business"


def test_an_english_apposition_names_the_company_after_its_adjectives(matcher):
    # "company" is the apposition's third word; with the trade in the sentence, two kinds of weak evidence.
    text = "Mac & Nil, the Italian fleet-tracking company, signed a deal to equip 400 buses in Apulia."
    (c,) = decide(matcher, text, "Mac&Nil")
    assert c.accepted and "company-noun:company@beside" in c.evidence_for


def test_an_event_or_a_body_before_the_name_is_no_shop_of_a_trade(matcher):
    text = "Alla conferenza di oggi Galdi, azienda trevigiana di macchine confezionatrici, ha presentato la nuova linea."
    (c,) = decide(matcher, text, "Galdi")
    assert c.accepted and c.rule != "adjacent-business"


def test_a_company_noun_after_a_preposition_in_the_apposition_is_not_the_names(matcher):
    # The person works in a company; the apposition does not say Malvestio is one.
    text = "Malvestio, titolare di una impresa edile di Padova, è stato intervistato dal giornale locale."
    (c,) = decide(matcher, text, "Malvestio")
    assert not c.accepted and "company-noun" not in c.evidence_for
