"""Matcher with the shipped watchlist: typography, boundaries, case, context, overlaps, exclusions."""

from __future__ import annotations

from pathlib import Path

import pytest

from rassegna.config import load_watchlist
from rassegna.matching.matcher import Candidate, Matcher

WATCHLIST = Path(__file__).parent.parent / "config" / "watchlist.yaml"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlist(WATCHLIST))


def of(candidates: list[Candidate], name: str) -> list[Candidate]:
    return [c for c in candidates if c.entity_name == name]


def only(candidates: list[Candidate], name: str) -> Candidate:
    found = of(candidates, name)
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def assert_offsets(text: str, c: Candidate) -> None:
    assert text[c.start_char : c.end_char] == c.matched_text


def test_curly_apostrophe_before_name(matcher: Matcher) -> None:
    text = "Il rilancio dell’azienda Galdi di Postioma parte dalle nuove riempitrici."
    c = only(matcher.match(text), "Galdi")
    assert c.accepted
    assert c.matched_text == "Galdi"
    assert_offsets(text, c)
    assert c.start_char == text.index("Galdi")


@pytest.mark.parametrize("written", ["Mac&amp;Nil", "Mac & Nil", "Mac&Nil"])
def test_macnil_spellings(matcher: Matcher, written: str) -> None:
    text = f"La telematica di {written} segue le flotte di mezzi pesanti da Gravina in Puglia."
    c = only(matcher.match(text), "Mac&Nil")
    assert c.accepted
    assert c.matched_text == written  # the original characters, entity leftover included
    assert_offsets(text, c)


def test_non_breaking_space_offsets_point_into_original(matcher: Matcher) -> None:
    text = "A Foggia lo stabilimento di Manta\u00a0Group produce parti in composito."
    c = only(matcher.match(text), "Manta Group")
    assert c.accepted
    assert c.matched_text == "Manta\u00a0Group"
    assert_offsets(text, c)
    assert c.start_char == text.index("Manta")


def test_offsets_after_folded_characters_earlier_in_text(matcher: Matcher) -> None:
    # Folding earlier in the text (entity, nbsp, soft hyphen) must not shift later offsets.
    text = "Soci &amp; partner:\u00a0il re\u00adport è pronto. A Foggia cresce Manta Group nei compositi."
    c = only(matcher.match(text), "Manta Group")
    assert c.matched_text == "Manta Group"
    assert_offsets(text, c)


@pytest.mark.parametrize(
    "text",
    [
        "I Ratoni di Treviso hanno aperto un nuovo software gestionale.",
        "Il signor Galdini di Postioma ha vinto la gara di briscola.",
        "Gli atoni e i Baldi di Treviso non c’entrano.",
    ],
)
def test_word_boundaries(matcher: Matcher, text: str) -> None:
    found = matcher.match(text)
    assert of(found, "Aton") == []
    assert of(found, "Galdi") == []


def test_lowercase_rain_is_not_a_candidate(matcher: Matcher) -> None:
    text = "Heavy rain will soak the irrigation fields near Cerro Maggiore tonight."
    assert of(matcher.match(text), "Rain") == []


def test_sentence_initial_rain_in_weather_copy_is_excluded(matcher: Matcher) -> None:
    text = "Rain is expected tomorrow across the whole valley, forecasters said."
    c = only(matcher.match(text), "Rain")
    assert not c.accepted
    assert c.rule == "excluded"


def test_sentence_initial_rain_without_context_is_rejected(matcher: Matcher) -> None:
    text = "Rain joined the afternoon session in Milan with two other firms."
    c = only(matcher.match(text), "Rain")
    assert not c.accepted
    assert c.rule == "no-context"


def test_person_named_like_a_company_is_rejected(matcher: Matcher) -> None:
    text = "Il sindaco Galdi ha inaugurato la nuova linea di confezionamento della latteria."
    c = only(matcher.match(text), "Galdi")
    assert not c.accepted
    assert c.rule == "person" and c.evidence == "sindaco"


def test_weather_words_do_not_outweigh_own_context_in_the_sentence(matcher: Matcher) -> None:
    text = "Rain, specialista dell'irrigazione intelligente, legge le previsioni meteo per dosare l'acqua."
    c = only(matcher.match(text), "Rain")
    assert c.accepted and c.rule == "context-over-exclusion"


def test_another_firm_sharing_the_name_is_rejected(matcher: Matcher) -> None:
    text = "Rain Industries ha chiuso il trimestre in calo, mentre a Cerro Maggiore si parla di irrigazione."
    c = only(matcher.match(text), "Rain")
    assert not c.accepted and c.rule == "excluded-form"


def test_headline_in_capitals_needs_evidence_about_the_company(matcher: Matcher) -> None:
    headline = "GALDI, LE MACCHINE CHE CONFEZIONANO IL LATTE PARTONO PER LA CALIFORNIA"
    alone = only(matcher.match(headline), "Galdi")
    assert not alone.accepted and alone.rule == "weak-only"  # a sector word alone never confirms
    body = "L'amministratrice delegata Antonella Candiotto guida la delegazione trevigiana."
    c = only(matcher.match(headline, title=body), "Galdi")
    assert c.accepted and c.rule == "person-of" and c.evidence == "Antonella Candiotto"


def test_word_hyphenated_across_a_line_break(matcher: Matcher) -> None:
    text = "Alla missione partecipa il Gruppo Mal-\nvestio con i suoi letti ospedalieri."
    c = only(matcher.match(text), "Malvestio")
    assert c.accepted
    assert text[c.start_char:c.end_char] == "Gruppo Mal-\nvestio"


def test_a_town_alone_never_confirms_an_ambiguous_name(matcher: Matcher) -> None:
    text = "Santini ha aperto le porte del laboratorio di Bergamo ai visitatori."
    c = only(matcher.match(text), "Santini")
    assert not c.accepted
    assert c.rule == "weak-only" and c.evidence == "Bergamo"
    assert c.score < 2.0 and "place:Bergamo@sentence" in c.evidence_for


def test_its_sector_and_its_town_beside_the_name_confirm_it(matcher: Matcher) -> None:
    text = "Santini ha aperto le porte del maglificio di Bergamo ai visitatori."
    c = only(matcher.match(text), "Santini")
    assert c.accepted and c.rule == "weighed"
    assert "sector:maglificio@sentence" in c.evidence_for and "place:Bergamo@sentence" in c.evidence_for


def test_evidence_in_the_title_counts_as_the_article(matcher: Matcher) -> None:
    text = "Santini ha aperto le porte del laboratorio ai visitatori."
    c = only(matcher.match(text, title="Monica Santini e il maglificio di Bergamo"), "Santini")
    assert c.accepted
    assert "person-of:Monica Santini@article" in c.evidence_for


def test_programme_article_accepts_the_listed_names(matcher: Matcher) -> None:
    text = (
        "Al programma Imprese Vincenti di Intesa Sanpaolo partecipano quest’anno anche Rain, "
        "Move e Santini, oltre a Malvestio."
    )
    found = matcher.match(text)
    names = {c.entity_name for c in found}
    assert names == {"Imprese Vincenti", "Rain", "Move", "Santini", "Malvestio"}
    assert all(c.accepted for c in found), [(c.entity_name, c.rule) for c in found if not c.accepted]
    for c in found:
        assert_offsets(text, c)


def test_longer_alias_wins(matcher: Matcher) -> None:
    text = "Le maglie di Santini Cycling vestono il gruppo al Giro."
    found = matcher.match(text)
    assert len(found) == 1
    c = found[0]
    assert c.entity_name == "Santini"
    assert c.matched_text == "Santini Cycling"
    assert c.accepted  # the distinctive form needs no context
    assert_offsets(text, c)


def test_exclusion_rule(matcher: Matcher) -> None:
    text = (
        "Aton era il dio del disco solare nell’antico Egitto. "
        "A Treviso, intanto, il software di tracciabilità va avanti."
    )
    c = only(matcher.match(text), "Aton")
    assert not c.accepted
    assert c.rule == "excluded"


def test_exclusion_only_applies_to_its_sentence(matcher: Matcher) -> None:
    # The god's words in another paragraph weigh against the name, but less than its evidence.
    text = (
        "Il museo espone una statua del dio Horus.\n"
        "Nel frattempo l’azienda Aton di Villorba cura la tracciabilità."
    )
    c = only(matcher.match(text), "Aton")
    assert c.accepted




def test_exclusion_only_applies_to_its_sentence_name_first(matcher: Matcher) -> None:
    text = (
        "Il museo espone una statua del dio Horus.\n"
        "Aton, l’azienda di software di Villorba, cura la tracciabilità."
    )
    c = only(matcher.match(text), "Aton")
    assert c.accepted


def test_snippet_is_the_sentence(matcher: Matcher) -> None:
    first = "La fiera di Verona ha chiuso con numeri record."
    middle = "La Galdi di Postioma ha presentato due riempitrici nuove."
    last = "Il prossimo appuntamento è a marzo."
    text = f"{first} {middle} {last}"
    c = only(matcher.match(text), "Galdi")
    assert c.snippet == middle


def test_snippet_is_the_sentence_name_first(matcher: Matcher) -> None:
    first = "La fiera di Verona ha chiuso con numeri record."
    middle = "Galdi di Postioma ha presentato due riempitrici nuove."
    last = "Il prossimo appuntamento è a marzo."
    c = only(matcher.match(f"{first} {middle} {last}"), "Galdi")
    assert c.snippet == middle


def test_rejected_candidates_are_returned_for_audit(matcher: Matcher) -> None:
    text = "Move fast, the coach told the team before the match."
    c = only(matcher.match(text), "Move")
    assert not c.accepted
    assert c.rule
