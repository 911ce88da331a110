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
from rassegna.matching.names import FIRST_NAMES, TITLES
from rassegna.matching.textnorm import Folded, fold, fold_string

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
    left = max(0, start - SNIPPET_MAX)
    # endpos start + 1: the boundary's lookahead must see the name's own first letter.
    for m in _SENTENCE_END.finditer(text, max(0, start - SNIPPET_MAX), start + 1):
        left = m.end()
    # Bounded look-ahead: on text without sentence ends an unbounded search per
    # candidate would make matching quadratic.
    limit = min(len(text), end + SNIPPET_MAX)
    m = _SENTENCE_END.search(text, end, limit)
    right = m.start() + 1 if m else limit
    return left, right


def snippet_for(text: str, start: int, end: int, bounds: tuple[int, int] | None = None) -> str:
    left, right = bounds or _sentence_bounds(text, start, end)
    if right - left > SNIPPET_MAX:
        half = (SNIPPET_MAX - (end - start)) // 2
        left, right = max(left, start - half), min(right, end + half)
        return ("…" if left > 0 else "") + text[left:right].strip() + "…"
    return " ".join(text[left:right].split())


class _TermIndex:
    """Which of a set of terms occur in a text, on word boundaries, in one pass.

    A term ending in '*' is a stem: "confeziona*" finds "confezionano" and "confezionamento".
    """

    def __init__(self, terms: dict[str, str]) -> None:
        self._automaton = ahocorasick.Automaton()
        self._empty = not terms
        for key, label in terms.items():
            stem = key.endswith("*")
            word = key.rstrip("*")
            self._automaton.add_word(word, (len(word), label, stem))
        if terms:
            self._automaton.make_automaton()

    def found(self, folded: Folded) -> dict[str, int]:
        """label -> folded offset of its first occurrence."""
        hits: dict[str, int] = {}
        if self._empty:
            return hits
        text = folded.lower
        for end, (length, label, stem) in self._automaton.iter(text):
            start = end - length + 1
            if label in hits:
                continue
            left_ok = start == 0 or not _is_word_char(text[start - 1])
            if left_ok and (stem or _bounded(text, start, end + 1)):
                hits[label] = start
        return hits


def context_key(term: str) -> str:
    return fold_string(term).lower()


_PRECEDING_WORDS = re.compile(r"(?:([^\W\d_][\w'.]*)\s+)?([^\W\d_][\w'.]*)\s+$")
# "Santini, 19 anni", "Galdi (45)", "Malvestio, aged 52", "Rossi, 34-year-old"
_AGE_AFTER = re.compile(r"^(,\s*\d{1,3}\s*(anni|enne)\b|,\s*\d{1,3}\s*,|\s*\(\d{1,3}\)|,\s*aged\s+\d|,\s*(a\s+)?\d{1,3}-year-old)")
# "Rain Industries", "Innovit Labs", "Aton Solutions": another firm that shares the name.
_OTHER_FIRM_AFTER = re.compile(
    r"^\s+(Labs?|Industries|Inc\.?|Ltd\.?|LLC|GmbH|Solutions|Systems|Technologies|Tech|Holdings?|Capital|"
    r"Partners|Ventures|Media|Studios?|Records|Foundation|Corp\.?|Corporation|Motors|Pharma|Software|"
    r"Networks|Games|Entertainment|Energy|Robotics|RFID|Airlines|Bank|Insurance|"
    r"Club|Crew|Fitness|Gym|Hotel|Pub|Bar|Band|Team|Academy|FC|Festival)\b"
)


def _person_cue(text: str, start: int, end: int) -> str | None:
    """The word or pattern that makes this name a person's, if any."""
    before = _PRECEDING_WORDS.search(text, max(0, start - 60), start)
    if before:
        # "Francesco Galdi", "il sindaco Galdi", "il consigliere comunale Martino Rossi"
        farther, nearest = (w.lower().rstrip(".") if w else "" for w in before.groups())
        if nearest in FIRST_NAMES or nearest in TITLES:
            return before.group(2)
        if farther in TITLES:
            return before.group(1)
    after = _AGE_AFTER.match(text[end : end + 30])
    return after.group(0).strip(" ,") if after else None


class Matcher:
    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self._automaton = ahocorasick.Automaton()
        patterns: dict[str, list[_Pattern]] = {}
        for entity in watchlist.entities:
            for alias in entity.aliases:
                needs = entity.requires_context if alias.requires_context is None else alias.requires_context
                form = fold_string(alias.text)
                patterns.setdefault(form.lower(), []).append(_Pattern(entity, alias, form, needs))
                upper = fold_string(alias.text.upper())
                if alias.case_sensitive and upper != form:
                    # Headlines in capitals ("GALDI, LE MACCHINE...") name the company too, but
                    # a capitalised headline is also where ordinary words shout: context required.
                    patterns[upper.lower()].append(_Pattern(entity, alias, upper, needs or bool(entity.context)))
        for key, plist in patterns.items():
            self._automaton.add_word(key, (len(key), plist))
        self._automaton.make_automaton()
        terms: dict[str, str] = {}
        for term in [t for e in watchlist.entities for t in (*e.context, *e.places)] + watchlist.shared_context:
            terms.setdefault(context_key(term), term)
        self._context = _TermIndex(terms)
        self._term_label = terms
        self._context_keys = {e.id: {context_key(t) for t in (*e.context, *e.places)} for e in watchlist.entities}
        self._strong_keys = {e.id: {context_key(t) for t in e.context} for e in watchlist.entities}
        self._shared_keys = {context_key(t) for t in watchlist.shared_context}
        self._exclusions = {
            e.id: [re.compile(p, re.IGNORECASE) for p in e.exclude] for e in watchlist.entities
        }
        self._exclude_forms = {
            e.id: [re.compile(p, re.IGNORECASE) for p in e.exclude_forms] for e in watchlist.entities
        }
        self._programmes = {e.id for e in watchlist.entities if e.kind == "programme"}

    def match(self, text: str, title: str = "") -> list[Candidate]:
        """Candidates in ``text`` (offsets index ``text``); ``title`` counts as context only."""
        folded = fold(text)
        raw = self._raw_candidates(folded)
        raw = self._drop_overlaps(raw)
        found_terms = {
            context_key(label)
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

    def _terms_in(self, text: str) -> set[str]:
        return {context_key(label) for label in self._context.found(fold(text))}

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

        for regex in self._exclude_forms[entity.id]:
            if regex.match(text, start):
                return result(False, "excluded-form", regex.pattern, 0.05)
        other_firm = _OTHER_FIRM_AFTER.match(text[end : end + 40])
        if other_firm:
            return result(False, "other-firm", text[start : end + other_firm.end()], 0.1)
        for regex in self._exclusions[entity.id]:
            if regex.search(sentence):
                # The entity's own context in the very same sentence outweighs the exclusion:
                # "Rain, the irrigation firm, reads the weather forecast".
                own_here = sorted(self._strong_keys[entity.id] & self._terms_in(sentence))
                if own_here:
                    return result(True, "context-over-exclusion", self._term_label[own_here[0]], 0.8)
                return result(False, "excluded", regex.pattern, 0.05)
        if pattern.alias.person_like:
            cue = _person_cue(text, start, end)
            if cue:
                return result(False, "person", cue, 0.1)
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
