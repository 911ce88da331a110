"""Find watchlist mentions in article text, and say why each was kept or dropped.

One Aho-Corasick pass over the folded, lower-cased text finds every alias of
every entity; each candidate is then checked in turn: word boundaries, case
(for aliases that are also ordinary words), overlap with a longer alias,
exclusion patterns in its sentence, and confirming context in the article for
entities that need it. Every candidate comes back with its decision and the
rule or term that decided it, so analysts can audit both kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from rassegna.config import Alias, Entity, Watchlist
from rassegna.textnorm import Folded, fold, fold_string

SNIPPET_MAX = 320
_SENTENCE_END = re.compile(r"[.!?;]\s+(?=[\"'«(\[]?[A-ZÀ-Ý0-9])|\n+")


@dataclass(frozen=True)
class Candidate:
    entity_id: str
    entity_name: str
    alias: str
    matched_text: str
    start_char: int
    end_char: int
    snippet: str
    accepted: bool
    rule: str  # what decided: 'alias', 'context', 'shared-context', 'programme', 'no-context', ...
    evidence: str  # the term, pattern or alias behind the rule
    confidence: float


@dataclass(frozen=True)
class _Pattern:
    entity: Entity
    alias: Alias
    folded: str
    needs_context: bool


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    # An alias ending in '.' ("I.co.p.") already carries its boundary.
    left_ok = not _is_word_char(before) or not _is_word_char(text[start])
    right_ok = not _is_word_char(after) or not _is_word_char(text[end - 1])
    return left_ok and right_ok


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    # endpos start + 1: the boundary's lookahead must see the name's own first letter.
    for m in _SENTENCE_END.finditer(text, max(0, start - SNIPPET_MAX), start + 1):
        left = m.end()
    m = _SENTENCE_END.search(text, end)
    right = m.start() + 1 if m else len(text)
    return left, right


def snippet_for(text: str, start: int, end: int, bounds: tuple[int, int] | None = None) -> str:
    left, right = bounds or _sentence_bounds(text, start, end)
    if right - left > SNIPPET_MAX:
        half = (SNIPPET_MAX - (end - start)) // 2
        left, right = max(left, start - half), min(right, end + half)
        return ("…" if left > 0 else "") + text[left:right].strip() + "…"
    return " ".join(text[left:right].split())


class _TermIndex:
    """Which of a set of terms occur in a text, on word boundaries, in one pass."""

    def __init__(self, terms: dict[str, str]) -> None:
        self._automaton = ahocorasick.Automaton()
        self._empty = not terms
        for key, label in terms.items():
            self._automaton.add_word(key, (len(key), label))
        if terms:
            self._automaton.make_automaton()

    def found(self, folded: Folded) -> dict[str, int]:
        """label -> folded offset of its first occurrence."""
        hits: dict[str, int] = {}
        if self._empty:
            return hits
        for end, (length, label) in self._automaton.iter(folded.lower):
            start = end - length + 1
            if label not in hits and _bounded(folded.lower, start, end + 1):
                hits[label] = start
        return hits


class Matcher:
    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self._automaton = ahocorasick.Automaton()
        patterns: dict[str, list[_Pattern]] = {}
        for entity in watchlist.entities:
            for alias in entity.aliases:
                key = fold_string(alias.text).lower()
                needs = entity.requires_context if alias.requires_context is None else alias.requires_context
                patterns.setdefault(key, []).append(_Pattern(entity, alias, fold_string(alias.text), needs))
        for key, plist in patterns.items():
            self._automaton.add_word(key, (len(key), plist))
        self._automaton.make_automaton()
        terms: dict[str, str] = {}
        for entity in watchlist.entities:
            for term in entity.context:
                terms.setdefault(fold_string(term).lower(), term)
        for term in watchlist.shared_context:
            terms.setdefault(fold_string(term).lower(), term)
        self._context = _TermIndex(terms)
        self._term_label = terms
        self._context_keys = {
            e.id: {fold_string(t).lower() for t in e.context} for e in watchlist.entities
        }
        self._shared_keys = {fold_string(t).lower() for t in watchlist.shared_context}
        self._exclusions = {
            e.id: [re.compile(p, re.IGNORECASE) for p in e.exclude] for e in watchlist.entities
        }
        self._programmes = {e.id for e in watchlist.entities if e.kind == "programme"}

    def match(self, text: str, title: str = "") -> list[Candidate]:
        """Candidates in ``text`` (offsets index ``text``); ``title`` counts as context only."""
        folded = fold(text)
        raw = self._raw_candidates(folded)
        raw = self._drop_overlaps(raw)
        found_terms = {
            fold_string(label).lower()
            for label in (*self._context.found(folded), *(self._context.found(fold(title)) if title else ()))
        }
        decided: list[Candidate] = []
        # Programmes first: an accepted programme mention confirms the companies.
        raw.sort(key=lambda c: (c[0].entity.id not in self._programmes, c[1]))
        programme_seen: str | None = None
        for pattern, fstart, fend in raw:
            start, end = folded.span(fstart, fend)
            candidate = self._decide(pattern, text, start, end, found_terms, programme_seen)
            if candidate.accepted and pattern.entity.id in self._programmes and programme_seen is None:
                programme_seen = pattern.entity.name
            decided.append(candidate)
        decided.sort(key=lambda c: (c.start_char, c.entity_id))
        return decided

    def _raw_candidates(self, folded: Folded) -> list[tuple[_Pattern, int, int]]:
        found: list[tuple[_Pattern, int, int]] = []
        for end_index, (length, plist) in self._automaton.iter(folded.lower):
            start, end = end_index - length + 1, end_index + 1
            if not _bounded(folded.lower, start, end):
                continue
            for pattern in plist:
                if pattern.alias.case_sensitive and folded.text[start:end] != pattern.folded:
                    continue
                found.append((pattern, start, end))
        return found

    @staticmethod
    def _drop_overlaps(found: list[tuple[_Pattern, int, int]]) -> list[tuple[_Pattern, int, int]]:
        """Drop a candidate inside a longer one ("Santini" in "Santini Cycling") and repeats."""
        found.sort(key=lambda f: (f[1], -(f[2] - f[1])))
        kept: list[tuple[_Pattern, int, int]] = []
        for pattern, start, end in found:
            # Sorted by start, so any span containing this one is among the last few kept.
            if any(
                (ks <= start and end <= ke and ke - ks > end - start)
                or (kp.entity.id == pattern.entity.id and ks == start)
                for kp, ks, ke in kept[-4:]
            ):
                continue
            kept.append((pattern, start, end))
        return kept

    def _decide(
        self,
        pattern: _Pattern,
        text: str,
        start: int,
        end: int,
        found_terms: set[str],
        programme_seen: str | None,
    ) -> Candidate:
        entity = pattern.entity
        left, right = _sentence_bounds(text, start, end)
        sentence = text[left:right]

        def result(accepted: bool, rule: str, evidence: str, confidence: float) -> Candidate:
            return Candidate(
                entity_id=entity.id,
                entity_name=entity.name,
                alias=pattern.alias.text,
                matched_text=text[start:end],
                start_char=start,
                end_char=end,
                snippet=snippet_for(text, start, end, (left, right)),
                accepted=accepted,
                rule=rule,
                evidence=evidence,
                confidence=confidence,
            )

        for regex in self._exclusions[entity.id]:
            if regex.search(sentence):
                return result(False, "excluded", regex.pattern, 0.05)
        if not pattern.needs_context:
            return result(True, "alias", pattern.alias.text, 0.9)
        own = sorted(self._context_keys[entity.id] & found_terms)
        if own:
            return result(True, "context", self._term_label[own[0]], 0.85)
        if entity.kind == "company":
            if programme_seen:
                return result(True, "programme", programme_seen, 0.8)
            shared = sorted(self._shared_keys & found_terms)
            if shared:
                return result(True, "shared-context", self._term_label[shared[0]], 0.75)
        return result(False, "no-context", "", 0.2)
