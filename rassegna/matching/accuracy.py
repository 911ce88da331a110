"""Score a matcher against a labelled corpus: precision and recall per entity and overall.

A decision is per passage and entity: does the passage mention the entity or not.
Shared by benchmarks/matching_accuracy.py and the accuracy test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rassegna.config import Watchlist


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Scores:
    per_entity: dict[str, Counts] = field(default_factory=dict)
    overall: Counts = field(default_factory=Counts)
    errors: list[tuple[dict[str, Any], set[str], set[str]]] = field(default_factory=list)


def development_parts(folder: Path) -> list[Path]:
    """The development part's files: the corpus, the held-out set, and every earlier blind
    part once read (namesakes*.yaml). The blind part is `folder / "blind.yaml"`."""
    return [folder / "corpus.yaml", folder / "heldout.yaml", *sorted(folder.glob("namesakes*.yaml"))]


def load_corpus(path: Path) -> list[dict[str, Any]]:
    passages = yaml.safe_load(Path(path).read_text("utf-8"))
    if not isinstance(passages, list) or not passages:
        raise ValueError(f"{path}: expected a non-empty list of passages")
    return passages


def score(corpus: list[dict[str, Any]], predict: Callable[[str], set[str]], names: set[str] | None = None) -> Scores:
    scores = Scores()
    for passage in corpus:
        truth = set(passage.get("entities") or [])
        found = predict(passage["text"])
        for entity in (names or set()) | truth | found:
            counts = scores.per_entity.setdefault(entity, Counts())
            if entity in truth and entity in found:
                counts.tp += 1
                scores.overall.tp += 1
            elif entity in found:
                counts.fp += 1
                scores.overall.fp += 1
            elif entity in truth:
                counts.fn += 1
                scores.overall.fn += 1
        if truth != found:
            scores.errors.append((passage, truth - found, found - truth))
    return scores


def naive_entities(watchlist: Watchlist, text: str) -> set[str]:
    """The baseline every monitor starts from: any alias as a case-insensitive substring."""
    lowered = text.lower()
    return {e.name for e in watchlist.entities if any(a.text.lower() in lowered for a in e.aliases)}
