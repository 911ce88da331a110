"""Accuracy on the development part (tests/matching/corpus.yaml) and the blind part (blind.yaml).

The corpus was written for this suite and was used while tuning the watchlist and the
evidence model. tests/matching/blind.yaml was written apart from the matcher, before the
version of the evidence model it judges, and is never used to choose rules or weights; these
tests guard the figures measured on it (README) against regression. The earlier blind parts,
each scored once, are development parts now (namesakes*.yaml).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import WATCHLIST
from rassegna.matching.accuracy import development_parts, load_corpus, naive_entities, score
from rassegna.config import load_watchlist
from rassegna.matching.matcher import Matcher

FOLDER = Path(__file__).parent / "matching"
DEVELOPMENT = development_parts(FOLDER)
BLIND = FOLDER / "blind.yaml"
NAMES = {
    "Aton", "Galdi", "I.co.p", "Las Mobili", "Mac&Nil", "Malvestio", "Manta Group", "Martinorossi",
    "Move", "Podium Engineering", "Rain", "Santini", "Imprese Vincenti", "INNOVIT",
}


@pytest.fixture(scope="module")
def scores():
    watchlist = load_watchlist(WATCHLIST)
    matcher = Matcher(watchlist)
    corpus = [passage for path in DEVELOPMENT for passage in load_corpus(path)]
    ours = score(corpus, lambda text: {c.entity_name for c in matcher.match(text) if c.accepted}, NAMES)
    naive = score(corpus, lambda text: naive_entities(watchlist, text), NAMES)
    return ours, naive, corpus


def test_corpus_is_large_and_hard_enough(scores):
    _, naive, corpus = scores
    assert len(corpus) >= 1000
    watchlist = load_watchlist(WATCHLIST)  # once, not once a passage (that took 40 s)
    negatives = [p for p in corpus if not p["entities"] or naive_entities(watchlist, p["text"]) - set(p["entities"])]
    assert len(negatives) / len(corpus) >= 0.40
    assert naive.overall.precision < 0.9  # the naive baseline is fooled: the corpus is hard


def test_overall_precision_and_recall_on_the_development_part(scores):
    ours, _, _ = scores
    assert ours.overall.precision >= 0.99, ours.overall
    # 0.961 since blind parts 6, 7 and 8, with their one-cue briefs, joined it (README).
    assert ours.overall.recall >= 0.955, ours.overall


@pytest.mark.parametrize("entity", sorted(NAMES))
def test_no_entity_below_090_on_the_development_part(scores, entity):
    counts = scores[0].per_entity[entity]
    assert counts.tp >= 20, f"{entity}: too few positives in the corpus to measure"
    assert counts.precision >= 0.90 and counts.recall >= 0.90, (entity, counts)


@pytest.fixture(scope="module")
def blind():
    matcher = Matcher(load_watchlist(WATCHLIST))
    corpus = load_corpus(BLIND)
    return score(corpus, lambda text: {c.entity_name for c in matcher.match(text) if c.accepted}, NAMES), corpus


def test_the_blind_part_is_large_and_almost_half_hard_negatives(blind):
    _, corpus = blind
    assert len(corpus) >= 350
    assert sum(1 for p in corpus if not p["entities"]) / len(corpus) >= 0.45


def test_blind_precision_and_recall_hold(blind):
    # Issue 11 asks precision 0.98 and recall 0.97: on blind part 9 the shipped evidence model
    # measured 0.992 and 0.914 (README); these floors catch a regression, not the target.
    ours, _ = blind
    assert ours.overall.precision >= 0.99, ours.overall
    assert ours.overall.recall >= 0.91, ours.overall


# Each entity's precision and recall on blind part 9, rounded down (README, "Mention accuracy").
# Issue 11 asks 0.95 for both, for every entity.
BLIND_FLOORS = {
    "Aton": (1.0, 0.80), "Galdi": (0.95, 0.77), "I.co.p": (1.0, 1.0), "INNOVIT": (1.0, 0.97),
    "Imprese Vincenti": (0.95, 1.0), "Las Mobili": (1.0, 1.0), "Mac&Nil": (1.0, 0.92), "Malvestio": (1.0, 0.82),
    "Manta Group": (1.0, 0.92), "Martinorossi": (1.0, 1.0), "Move": (1.0, 0.88), "Podium Engineering": (1.0, 1.0),
    "Rain": (1.0, 0.75), "Santini": (1.0, 0.85),
}


@pytest.mark.parametrize("entity", sorted(NAMES))
def test_no_entity_below_its_measured_floor_on_the_blind_part(blind, entity):
    counts = blind[0].per_entity[entity]
    precision, recall = BLIND_FLOORS[entity]
    assert counts.precision >= precision and counts.recall >= recall, (entity, counts)


def test_development_figures_are_not_far_above_the_blind_ones(scores, blind):
    # Issue 11 asks a gap of 0.02 at most; on blind part 9 precision is 0.003 and recall 0.046
    # below the development part (on part 8, 0.022 and 0.026; on parts 6 and 7 recall 0.07), README.
    dev, blind_scores = scores[0].overall, blind[0].overall
    assert dev.precision - blind_scores.precision <= 0.03
    assert dev.recall - blind_scores.recall <= 0.08
