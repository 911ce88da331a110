"""The evidence model: what speaks for and against a candidate being the watched entity.

Each piece of evidence has a kind and a place relative to the name: in the name's own
sentence, in its paragraph, elsewhere in the article (or its title). Its weight falls with
the distance, as the words nearest a name decide its sense (one sense per collocation).

- *strong* evidence is about the entity itself: its own people, products and terms, its
  distinctive spellings, the programmes and the mission. One piece anywhere confirms.
- *weak* evidence is about its kind and place: sector words, its town. It adds up, but is
  capped below the threshold, so weak evidence alone never confirms an ambiguous name.
- *negative* evidence is about the name's other meanings: the watchlist's namesakes, the
  everyday phrase before a programme's name in the wrong case, an exclusion in the sentence.

Vetoes (another business beside the name, a person's cue, another firm's form) are decided
before scoring, in the matcher: they are facts about this occurrence, not weights.

The weights are set by meaning, not fitted; THRESHOLD was chosen on the development
corpus for precision first (benchmarks/matching_accuracy.py prints it beside the blind part).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A version of the decision rules, recorded with every mention: a rematch after a matcher
# change is told apart from one after a watchlist change.
MATCHER_VERSION = "evidence-5"

THRESHOLD = 2.0
# One kind of weak evidence (sector words, or places) never reaches the threshold alone: in
# its own town a name is as often a namesake's, and a sector word is in every trade story.
# Two kinds near the name (its sector *and* its town, the bank *and* its town) describe the
# entity, as a watchlist row does.
WEAK_CAP = 1.5

# kind -> weight by where it was found: sentence, paragraph, article (the title counts as article).
WEIGHTS: dict[str, dict[str, float]] = {
    # strong: about the entity itself
    "alias": {"form": 3.0},
    "context": {"sentence": 3.0, "paragraph": 2.5, "article": 2.0},
    "person-of": {"sentence": 3.0, "paragraph": 2.5, "article": 2.0},
    "product": {"sentence": 3.0, "paragraph": 2.5, "article": 2.0},
    "programme": {"sentence": 3.0, "paragraph": 2.5, "article": 2.0},
    # "la sesta edizione di imprese vincenti": the words before a programme's name say it is one
    "collocation": {"beside": 2.0},
    "shared-context": {"sentence": 3.0, "paragraph": 2.5, "article": 2.0},
    # weak: about its kind ("l'azienda Galdi"), sector, place, its people's surnames, its own
    # person's name around it ("Monica Santini"); the mission's and the bank's words
    "company-noun": {"beside": 1.0, "form": 1.0},
    # other watched companies in the same sentence with evidence of their own: the mission's list
    "co-listed": {"sentence": 1.0},
    "company-article": {"beside": 0.5},
    "own-name": {"form": 1.0},
    "sector": {"sentence": 1.0, "paragraph": 0.8, "article": 0.3},
    "place": {"sentence": 1.0, "paragraph": 0.8, "article": 0.2},
    "surname-of": {"sentence": 1.0, "paragraph": 0.5, "article": 0.25},
    "shared-weak": {"sentence": 1.0, "paragraph": 0.75, "article": 0.5},
    # negative: the name's other meanings
    "namesake": {"sentence": -3.0, "paragraph": -2.0, "article": -1.0},
    "excluded": {"sentence": -4.0},
    "everyday-phrase": {"beside": -2.0},
}
STRONG = frozenset({"alias", "context", "person-of", "product", "programme", "collocation", "shared-context"})
WEAK = frozenset({"company-noun", "co-listed", "company-article", "own-name", "sector", "place", "surname-of", "shared-weak"})
# The kinds that, alone, never confirm: a town, or a sector's words.
CAPPED_ALONE = frozenset({"sector", "place"})


@dataclass(frozen=True)
class Evidence:
    kind: str
    term: str
    where: str

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind][self.where]

    def __str__(self) -> str:
        return f"{self.kind}:{self.term}@{self.where}"


@dataclass(frozen=True)
class Verdict:
    score: float
    accepted: bool
    rule: str
    evidence: str  # the decisive term
    confidence: float
    evidence_for: tuple[Evidence, ...]
    evidence_against: tuple[Evidence, ...]


def _best_per_term(items: list[Evidence]) -> list[Evidence]:
    """One piece per (kind, term): the nearest occurrence of a term, not every repeat.

    A namesake counts once, by its nearest word: "the Egyptian sun disc" is one other
    meaning however many of its words ("god", "pharaoh", "Amarna") the article uses.
    """
    best: dict[tuple[str, str], Evidence] = {}
    for item in items:
        key = (item.kind, item.term.split(" (")[0] if item.kind == "namesake" else item.term)
        if key not in best or item.weight * _sign(item) > best[key].weight * _sign(item):
            best[key] = item
    return list(best.values())


def _sign(item: Evidence) -> float:
    return 1.0 if item.weight >= 0 else -1.0


def weigh(items: list[Evidence]) -> Verdict:
    """Combine the evidence of one candidate into a score, a decision and its rule."""
    items = _best_per_term(items)
    positive = sorted((e for e in items if e.weight > 0), key=lambda e: -e.weight)
    negative = sorted((e for e in items if e.weight < 0), key=lambda e: e.weight)
    # Strong kinds do not add up past one piece each: two product names are not twice as sure.
    strong = sum(max((e.weight for e in positive if e.kind == kind), default=0.0) for kind in STRONG)
    # The best term of each weak kind counts fully, each further term of a kind by half.
    weak = 0.0
    for kind in WEAK:
        weights = sorted((e.weight for e in positive if e.kind == kind), reverse=True)
        weak += sum(w if i == 0 else 0.5 * w for i, w in enumerate(weights))
    weak_kinds = {e.kind for e in positive if e.kind in WEAK}
    if len(weak_kinds) == 1 and weak_kinds <= CAPPED_ALONE:
        weak = min(weak, WEAK_CAP)
    support = strong + weak
    # An exclusion in the sentence ("previsioni meteo") loses to what the sentence itself
    # says about the entity: "Rain, specialista dell'irrigazione, legge le previsioni meteo".
    in_sentence = weigh_sentence(positive) if any(e.kind == "excluded" for e in negative) else 0.0
    overruled = in_sentence >= THRESHOLD
    # A namesake's words near a distinctive spelling ("Las Mobili" at the Las Vegas Market)
    # count half: the spelling itself is the entity's.
    distinctive = any(e.kind == "alias" for e in positive)
    against = sum(
        e.weight * (0.5 if distinctive and e.kind == "namesake" else 1.0)
        for e in negative
        if not (overruled and e.kind == "excluded")
    )
    score = support + against
    accepted = score >= THRESHOLD
    if accepted:
        top = positive[0]
        if overruled:
            rule = "context-over-exclusion"
        elif top.kind in STRONG:
            rule = top.kind
        else:
            rule = "weighed"
        decisive = top.term
    elif negative and support >= THRESHOLD:
        rule, decisive = negative[0].kind, negative[0].term
    elif negative and any(e.kind == "excluded" for e in negative):
        rule, decisive = "excluded", next(e.term for e in negative if e.kind == "excluded")
    elif positive:
        rule, decisive = "weak-only", positive[0].term
    else:
        rule, decisive = "no-context", ""
    confidence = round(1.0 / (1.0 + math.exp(-1.5 * (score - THRESHOLD))), 3)
    return Verdict(score, accepted, rule, decisive, confidence, tuple(positive), tuple(negative))


def weigh_sentence(positive: list[Evidence]) -> float:
    """The support found in the name's own sentence alone (or in its form)."""
    here = [e for e in positive if e.where in ("sentence", "form", "beside")]
    if not here:
        return 0.0
    return weigh(here).score
