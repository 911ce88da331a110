"""Accuracy on the development part (tests/matching/corpus.yaml) and the blind part (blind.yaml).

The corpus was written for this suite and was used while tuning the watchlist and the
evidence model. tests/matching/blind.yaml was written apart from the matcher, before the
evidence model, and is never used to choose rules or weights; these tests guard the figures
measured on it (README) against regression. Issue 11's targets (0.98 / 0.97 on the blind
part, every entity 0.95) are not all met yet: the guards sit at what is measured.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import WATCHLIST
from rassegna.matching.accuracy import load_corpus, naive_entities, score
from rassegna.config import load_watchlist
from rassegna.matching.matcher import Matcher

CORPUS = Path(__file__).parent / "matching" / "corpus.yaml"
BLIND = Path(__file__).parent / "matching" / "blind.yaml"
NAMES = {
    "Aton", "Galdi", "I.co.p", "Las Mobili", "Mac&Nil", "Malvestio", "Manta Group", "Martinorossi",
    "Move", "Podium Engineering", "Rain", "Santini", "Imprese Vincenti", "INNOVIT",
}


@pytest.fixture(scope="module")
def scores():
    watchlist = load_watchlist(WATCHLIST)
    matcher = Matcher(watchlist)
    corpus = load_corpus(CORPUS)
    ours = score(corpus, lambda text: {c.entity_name for c in matcher.match(text) if c.accepted}, NAMES)
    naive = score(corpus, lambda text: naive_entities(watchlist, text), NAMES)
    return ours, naive, corpus


def test_corpus_is_large_and_hard_enough(scores):
    _, naive, corpus = scores
    assert len(corpus) >= 200
    negatives = [p for p in corpus if not p["entities"] or naive_entities(load_watchlist(WATCHLIST), p["text"]) - set(p["entities"])]
    assert len(negatives) / len(corpus) >= 0.40
    assert naive.overall.precision < 0.9  # the naive baseline is fooled: the corpus is hard


def test_overall_precision_and_recall_on_the_development_part(scores):
    ours, _, _ = scores
    assert ours.overall.precision >= 0.98, ours.overall
    assert ours.overall.recall >= 0.94, ours.overall


@pytest.mark.parametrize("entity", sorted(NAMES))
def test_no_entity_below_080_on_the_development_part(scores, entity):
    counts = scores[0].per_entity[entity]
    assert counts.tp >= 5, f"{entity}: too few positives in the corpus to measure"
    assert counts.precision >= 0.80 and counts.recall >= 0.80, (entity, counts)


@pytest.fixture(scope="module")
def blind():
    matcher = Matcher(load_watchlist(WATCHLIST))
    corpus = load_corpus(BLIND)
    return score(corpus, lambda text: {c.entity_name for c in matcher.match(text) if c.accepted}, NAMES), corpus


def test_the_blind_part_is_large_and_mostly_hard_negatives(blind):
    _, corpus = blind
    assert len(corpus) >= 200
    assert sum(1 for p in corpus if not p["entities"]) / len(corpus) >= 0.5


def test_blind_precision_and_recall_hold(blind):
    ours, _ = blind
    assert ours.overall.precision >= 0.97, ours.overall
    assert ours.overall.recall >= 0.96, ours.overall


def test_development_figures_are_not_far_above_the_blind_ones(scores, blind):
    dev, blind_scores = scores[0].overall, blind[0].overall
    assert dev.precision - blind_scores.precision <= 0.02
    assert dev.recall - blind_scores.recall <= 0.02
