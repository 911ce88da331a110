"""Search queries built from the watchlist (rassegna.queries), neutral and GDELT forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from rassegna.config import Watchlist, load_watchlist
from rassegna.queries import AnyOf, QueryError, Term, discovery_queries, entity_query, gdelt_queries, parse_query

ROOT = Path(__file__).parent.parent


def _watchlist(*entities: dict, shared: list[str] | None = None) -> Watchlist:
    return Watchlist.model_validate({"entities": list(entities), "shared_context": shared or []})


RAIN = {
    "id": "rain", "name": "Rain", "kind": "company", "requires_context": True,
    "aliases": [{"text": "Rain", "case_sensitive": True}],
    "context": ["Stiatti", "irrigazion*", "irrigation", "smart irrigat*", "liquid food machine*"],
    "places": ["Cerro Maggiore"],
}


def test_ambiguous_company_only_with_its_confirming_terms():
    query = entity_query(_watchlist(RAIN).entities[0], ["Imprese Vincenti"])
    assert query == '"Rain" ("Stiatti" OR "irrigation" OR "liquid food" OR "Cerro Maggiore" OR "Imprese Vincenti")'
    # Stems are not words a search engine can look for.
    assert "irrigazion" not in query and "smart" not in query and "*" not in query


def test_ambiguous_company_without_any_confirming_term_is_not_searched():
    bare = {**RAIN, "context": ["irrigazion*"], "places": []}
    assert entity_query(_watchlist(bare).entities[0], []) is None


def test_distinctive_aliases_alone_and_ambiguous_ones_guarded():
    santini = {
        "id": "santini", "name": "Santini", "kind": "company", "requires_context": True,
        "aliases": [{"text": "Santini", "person_like": True}, {"text": "Santini Cycling", "requires_context": False},
                    {"text": "SANTINI CYCLING", "requires_context": False}],
        "context": ["ciclismo", "maglie"],
    }
    query = entity_query(_watchlist(santini).entities[0], [])
    assert query == '"Santini Cycling" OR ("Santini" ("ciclismo" OR "maglie"))'
    root = parse_query(query)
    assert isinstance(root, AnyOf) and root.items[0] == Term("Santini Cycling")


def test_programme_by_its_names_and_distinctive_company_by_its_aliases():
    programme = {"id": "innovit", "name": "INNOVIT", "kind": "programme", "requires_context": True,
                 "aliases": [{"text": "INNOVIT", "requires_context": False},
                             {"text": "Italian Innovation and Culture Hub", "requires_context": False},
                             {"text": "Centro Italiano di Innovazione"}]}
    company = {"id": "las", "name": "Las Mobili", "kind": "company", "aliases": ["Las Mobili"], "context": ["arredi"]}
    assert discovery_queries(_watchlist(programme, company, shared=["Intesa Sanpaolo"])) == [
        '"INNOVIT" OR "Italian Innovation and Culture Hub"',
        '"Las Mobili"',
    ]


def test_shared_context_keeps_two_places_when_an_entity_has_many_terms():
    many = {**RAIN, "context": [f"termine{i}" for i in range(12)], "places": []}
    query = entity_query(_watchlist(many).entities[0], ["Imprese Vincenti", "INNOVIT", "Intesa Sanpaolo"])
    inner = parse_query(query).items[1]  # type: ignore[union-attr]
    terms = [t.text for t in inner.items]
    assert len(terms) == 8 and terms[-2:] == ["Imprese Vincenti", "INNOVIT"]


def test_real_watchlist_one_query_per_entity_and_no_bare_ambiguous_name():
    watchlist = load_watchlist(ROOT / "config" / "watchlist.yaml")
    queries = discovery_queries(watchlist)
    assert len(queries) == len(watchlist.entities)
    for entity, query in zip(watchlist.entities, queries):
        root = parse_query(query)
        alternatives = root.items if isinstance(root, AnyOf) else (root,)
        bare = {a.text.casefold() for a in alternatives if isinstance(a, Term)}
        for alias in entity.aliases:
            needs = entity.requires_context if alias.requires_context is None else alias.requires_context
            if needs and entity.kind == "company":
                assert alias.text.casefold() not in bare, (entity.id, query)
        assert gdelt_queries(query), query  # every one is searchable on GDELT too
    rain = queries[[e.id for e in watchlist.entities].index("rain")]
    assert rain.startswith('"Rain" (') and '"Stiatti"' in rain and '"Imprese Vincenti"' in rain


def test_gdelt_form_splits_nesting_drops_short_words_and_wraps_or():
    assert gdelt_queries('"Santini Cycling" OR "Maglificio Santini" OR ("Santini" ("ciclismo" OR "kit" OR "Tour de France"))') == [
        '("Santini Cycling" OR "Maglificio Santini")',
        'Santini (ciclismo OR "Tour de France")',
    ]
    # A one-member group is no group: GDELT refuses "(oil)".
    assert gdelt_queries('"Rain" ("RSA" OR "Stiatti")') == ["Rain Stiatti"]
    assert gdelt_queries('"Mac&Nil" OR "Macnil"') == ['("Mac&Nil" OR Macnil)']
    # Nothing left to confirm the name with: the alternative is dropped, never sent bare.
    assert gdelt_queries('"Las Mobili" OR ("Move" ("kit" OR "RSA"))') == ['"Las Mobili"']


@pytest.mark.parametrize("bad", ['"Rain" ("Stiatti"', '"Rain") OR "x"', '"A" OR', '()',
                                 '"A" ("B" ("C" OR "D"))'])
def test_unreadable_or_too_nested_queries_are_refused(bad):
    with pytest.raises(QueryError):
        gdelt_queries(bad)
