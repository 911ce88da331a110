"""Find watchlist mentions in article text, and say why each was kept or dropped.

One Aho-Corasick pass over the folded, lower-cased text finds every alias of
every entity, and a second one every evidence term (the entities' people,
products, sectors, places, namesakes; the mission). Each candidate is then
decided in three steps:

1. vetoes, facts about this occurrence: another firm's form after the name
   ("Rain Industries"), another business before it ("pasticceria Santini"),
   another owner ("the Aton platform of X"), a person's cue (a first name, a
   title, an age, a person's verb or role);
2. the evidence for and against, weighed by how near the name it is
   (rassegna/matching/evidence.py);
3. one sense per discourse: a name confirmed once in an article confirms its
   other bare occurrences; a surname that an article has shown to be a person's
   is that person's in its later bare occurrences, unless confirmed on the spot.

Every candidate comes back with its decision, the rule and decisive term, the
score, and the evidence for and against, so analysts can audit both kinds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import ahocorasick

from rassegna.config import Alias, Entity, Watchlist
from rassegna.matching.evidence import STRONG, Evidence, Verdict, weigh
from rassegna.matching.names import (
    COMPANY_NOUNS,
    EVERYDAY_BEFORE,
    FIRST_NAMES,
    OTHER_BUSINESSES,
    OTHER_BUSINESSES_TWO_WORDS,
    PERSON_AFTER,
    TITLES,
)
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
    rule: str  # what decided: 'alias', 'context', 'programme', 'same-article', 'person', 'no-context', ...
    evidence: str  # the term, pattern or alias behind the rule
    confidence: float
    score: float = 0.0
    evidence_for: str = ""  # "kind:term@where; ..." (evidence.Evidence), strongest first
    evidence_against: str = ""


@dataclass(frozen=True)
class _Pattern:
    entity: Entity
    alias: Alias
    folded: str
    needs_context: bool
    # A programme's name in another casing ("Imprese vincenti"): a candidate only with its context.
    variant: bool = False


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


@dataclass(frozen=True)
class _Term:
    kind: str  # an evidence kind (evidence.WEIGHTS)
    entity_id: str | None  # None: speaks for every company (the mission, the bank)
    label: str  # as written in the watchlist, shown to analysts


class _TermIndex:
    """Where a set of terms occur in a text, on word boundaries, in one pass.

    A term ending in '*' is a stem: "confeziona*" finds "confezionano" and "confezionamento".
    """

    def __init__(self, terms: list[tuple[str, _Term]]) -> None:
        self._automaton = ahocorasick.Automaton()
        grouped: dict[tuple[str, bool], list[_Term]] = {}
        for text, term in terms:
            stem = text.endswith("*")
            grouped.setdefault((context_key(text.rstrip("*")), stem), []).append(term)
        by_word: dict[str, list[tuple[bool, list[_Term]]]] = {}
        for (word, stem), found in grouped.items():
            by_word.setdefault(word, []).append((stem, found))
        for word, entries in by_word.items():
            self._automaton.add_word(word, (len(word), entries))
        self._empty = not by_word
        if by_word:
            self._automaton.make_automaton()

    def hits(self, folded: Folded) -> list[tuple[int, int, _Term]]:
        """Every occurrence: (start, end) in the original text, and the term."""
        found: list[tuple[int, int, _Term]] = []
        if self._empty:
            return found
        text = folded.lower
        for end, (length, entries) in self._automaton.iter(text):
            start = end - length + 1
            if start and _is_word_char(text[start - 1]):
                continue
            whole = _bounded(text, start, end + 1)
            for stem, terms in entries:
                if stem or whole:
                    ostart, oend = folded.span(start, end + 1)
                    found.extend((ostart, oend, term) for term in terms)
        return found


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
    r"Club|Crew|Fitness|Gym|Hotel|Pub|Bar|Band|Team|Academy|FC|Festival|"
    # Partnerships and family firms are the small local namesakes ("Galdi Snc", "Santini & Figli").
    r"S\.?n\.?c\.?|S\.?a\.?s\.?|&\s*C\.|&\s*[Ff]igli|e\s+[Ff]igli|[Cc]ostruzioni|[Aa]rredamenti|[Ii]mpianti|"
    r"[Tt]rasporti|[Aa]utotrasporti|[Ii]mmobiliare|[Aa]ssicurazioni|[Vv]iaggi|[Cc]alzature|[Aa]utomobili)(?![\w])"
)
# "the Aton platform of OtherCorp", "l'app Move di OtherCorp": another owner's product.
_PRODUCT_NOUNS = r"(?:platform|app|software|tool|suite|brand|model|service|piattaforma|applicazione|marchio|prodotto|servizio|modello)"
_OWNER_AFTER = re.compile(
    r"^\s+(?:" + _PRODUCT_NOUNS + r"\s+)?(?:of|by|from|di|del|della|dell'|developed\s+by|made\s+by|sviluppat[oa]\s+da|"
    r"lanciat[oa]\s+da|prodott[oa]\s+da)\s+([A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)?)"
)
_PRODUCT_BEFORE = re.compile(r"\b" + _PRODUCT_NOUNS + r"\s+$", re.IGNORECASE)
# "OtherCorp's Aton": an English possessive right before the name.
_POSSESSIVE_BEFORE = re.compile(r"([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?)'s\s+$")
_PERSON_AFTER = re.compile(PERSON_AFTER)
_ELISION = re.compile(r"^(?:[a-z]+['’])")
# "Galdi, storica azienda di Postioma": the apposition after the name.
_APPOSITION_AFTER = re.compile(r"^\s*[,:]\s*(?:(?:l['’]|la|il|lo|un['’]|una|un|uno|the|a|an)\s*)?([\w-]+)(?:\s+([\w-]+))?")


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


def _words_before(text: str, start: int) -> tuple[str, str]:
    """The two words before ``start``, lower case, elision dropped ("dell'azienda" -> "azienda")."""
    before = _PRECEDING_WORDS.search(text, max(0, start - 60), start)
    if not before:
        return "", ""
    farther, nearest = (_ELISION.sub("", w.lower().rstrip(".")) if w else "" for w in before.groups())
    return farther, nearest


# "lo studio di Galdi", "la squadra di Santini" may be the company's own: only "bar di Santini" is another's.
_OWN_PLACES = frozenset({"impresa", "ditta", "team", "squadra", "studio", "scuola", "crew", "club", "band"})


def _apposition(after: str) -> tuple[str, ...]:
    """The first two words of an apposition after the name ("Galdi, storica azienda di..."), lower case."""
    found = _APPOSITION_AFTER.match(after)
    return tuple(w.lower() for w in found.groups() if w) if found else ()


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
                    # A programme's name in capitals is the programme, unless the everyday phrase.
                    programme = entity.kind == "programme"
                    patterns[upper.lower()].append(
                        _Pattern(entity, alias, upper, needs or (not programme and entity.requires_context), programme)
                    )
        for key, plist in patterns.items():
            self._automaton.add_word(key, (len(key), plist))
        self._automaton.make_automaton()
        terms: list[tuple[str, _Term]] = []
        for e in watchlist.entities:
            for kind, values in (
                ("context", e.context), ("person-of", e.people), ("product", e.products),
                ("sector", e.sector), ("place", e.places),
            ):
                terms += [(t, _Term(kind, e.id, t)) for t in values]
            aliases = {fold_string(a.text).lower() for a in e.aliases}
            for person in e.people:
                # "De Nardi (Aton)": a surname of its people speaks for it, weakly (surnames are shared).
                surname = person.split(" ", 1)[1] if " " in person else ""
                if surname and fold_string(surname).lower() not in aliases:
                    terms.append((surname, _Term("surname-of", e.id, surname)))
            for namesake in e.namesakes:
                terms += [(t, _Term("namesake", e.id, f"{namesake.name} ({t})")) for t in namesake.terms]
        # A programme's name among the shared terms is evidence only once the programme is
        # accepted (programme_spans): "le imprese vincenti del bando" confirms nobody.
        programme_names = {
            fold_string(a.text).lower() for e in watchlist.entities if e.kind == "programme" for a in e.aliases
        }
        terms += [
            (t, _Term("shared-context", None, t))
            for t in watchlist.shared_context
            if fold_string(t).lower() not in programme_names
        ]
        terms += [(t, _Term("shared-weak", None, t)) for t in watchlist.shared_weak]
        self._terms = _TermIndex(terms)
        self._exclusions = {
            e.id: [re.compile(p, re.IGNORECASE) for p in e.exclude] for e in watchlist.entities
        }
        self._exclude_forms = {
            e.id: [re.compile(p, re.IGNORECASE) for p in e.exclude_forms] for e in watchlist.entities
        }
        self._programmes = {e.id for e in watchlist.entities if e.kind == "programme"}
        # A possessor that is one of ours ("Intesa Sanpaolo's Imprese Vincenti") is no other owner.
        self._ours = {
            fold_string(t).lower()
            for e in watchlist.entities
            for t in (e.name, *(a.text for a in e.aliases), *e.people, *e.places)
        } | {fold_string(t).lower() for t in (*watchlist.shared_context, *watchlist.shared_weak)}

    def match(self, text: str, title: str = "") -> list[Candidate]:
        """Candidates in ``text`` (offsets index ``text``); ``title`` counts as context only."""
        folded = fold(text)
        raw = self._drop_overlaps(self._raw_candidates(folded))
        if not raw:
            return []
        hits = self._terms.hits(folded)
        title_terms = [term for _, _, term in self._terms.hits(fold(title))] if title else []
        # Programmes first: an accepted programme mention is evidence for the companies.
        raw.sort(key=lambda c: (c[0].entity.id not in self._programmes, c[1]))
        programme_spans: list[tuple[int, int, str]] = []
        decided: list[tuple[_Pattern, Candidate, tuple[Evidence, ...]]] = []
        for pattern, fstart, fend in raw:
            start, end = folded.span(fstart, fend)
            candidate, strong_here = self._decide(pattern, text, start, end, hits, title_terms, programme_spans)
            if candidate.accepted and pattern.entity.id in self._programmes:
                programme_spans.append((start, end, pattern.entity.name))
            decided.append((pattern, candidate, strong_here))
        result = self._one_sense_per_discourse(decided)
        result.sort(key=lambda c: (c.start_char, c.entity_id))
        return result

    def _raw_candidates(self, folded: Folded) -> list[tuple[_Pattern, int, int]]:
        found: list[tuple[_Pattern, int, int]] = []
        for end_index, (length, plist) in self._automaton.iter(folded.lower):
            start, end = end_index - length + 1, end_index + 1
            if not _bounded(folded.lower, start, end):
                continue
            for pattern in plist:
                written = folded.text[start:end]
                if pattern.alias.case_sensitive and written != pattern.folded:
                    # Capitals have patterns of their own (above).
                    if pattern.entity.kind != "programme" or written.isupper() or pattern.folded.isupper():
                        continue
                    # A programme written in another case ("Imprese vincenti") is a candidate
                    # that its own context must confirm, never the everyday phrase.
                    pattern = _Pattern(pattern.entity, pattern.alias, pattern.folded, True, variant=True)
                found.append((pattern, start, end))
        return found

    @staticmethod
    def _drop_overlaps(found: list[tuple[_Pattern, int, int]]) -> list[tuple[_Pattern, int, int]]:
        """Drop a candidate inside a longer one ("Santini" in "Santini Cycling") and repeats."""
        found.sort(key=lambda f: (f[1], -(f[2] - f[1]), f[0].variant))
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

    def _veto(self, pattern: _Pattern, text: str, start: int, end: int, own_person: bool) -> tuple[str, str] | None:
        """A fact about this occurrence that makes it someone or something else: (rule, evidence)."""
        entity = pattern.entity
        for regex in self._exclude_forms[entity.id]:
            if regex.match(text, start):
                return "excluded-form", regex.pattern
        after = text[end : end + 60]
        other_firm = _OTHER_FIRM_AFTER.match(after)
        if other_firm:
            return "other-firm", text[start : end + other_firm.end()]
        if entity.kind != "company":
            return None
        farther, nearest = _words_before(text, start)
        if f"{farther} {nearest}" in OTHER_BUSINESSES_TWO_WORDS:
            return "adjacent-business", f"{farther} {nearest}"
        if nearest in OTHER_BUSINESSES:
            return "adjacent-business", nearest
        if nearest in ("di", "da", "del", "of") and farther in OTHER_BUSINESSES - _OWN_PLACES:
            return "adjacent-business", f"{farther} {nearest}"
        business = next((w for w in _apposition(after) if w in OTHER_BUSINESSES - _OWN_PLACES), None)
        if business:
            # "il gruppo Aton, band di Castelfranco"
            return "adjacent-business", business
        next_word = re.match(r"\s+([\w-]+)", after)
        if next_word and next_word.group(1).lower() in OTHER_BUSINESSES and next_word.group(1).islower():
            return "adjacent-business", next_word.group(1)
        owner = _OWNER_AFTER.match(after)
        if owner and (_PRODUCT_BEFORE.search(text, max(0, start - 30), start) or re.match(r"\s+" + _PRODUCT_NOUNS, after)):
            if fold_string(owner.group(1)).lower() not in self._ours:
                return "other-owner", owner.group(0).strip()
        possessor = _POSSESSIVE_BEFORE.search(text, max(0, start - 60), start)
        if possessor and fold_string(possessor.group(1)).lower() not in self._ours:
            return "other-owner", possessor.group(0).strip()
        if pattern.alias.person_like and not own_person:
            cue = _person_cue(text, start, end)
            if cue:
                return "person", cue
            verb = _PERSON_AFTER.match(after)
            if verb:
                return "person", verb.group(0).strip(" ,")
        return None

    def _evidence(
        self,
        pattern: _Pattern,
        text: str,
        start: int,
        end: int,
        sentence: tuple[int, int],
        hits: list[tuple[int, int, _Term]],
        title_terms: list[_Term],
        programme_spans: list[tuple[int, int, str]],
    ) -> list[Evidence]:
        entity = pattern.entity
        company = entity.kind == "company"
        paragraph = (text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1)

        def where(position: int) -> str:
            if sentence[0] <= position < sentence[1]:
                return "sentence"
            return "paragraph" if paragraph[0] <= position < paragraph[1] else "article"

        items: list[Evidence] = []
        if not pattern.needs_context:
            items.append(Evidence("alias", pattern.alias.text, "form"))
        for hstart, hend, term in hits:
            # A term inside the name itself ("hub" in "Italian Innovation and Culture Hub") says nothing;
            # the name inside its own person's ("Monica Santini") says a little.
            if hstart < end and start < hend:
                if term.kind == "person-of" and term.entity_id == entity.id:
                    items.append(Evidence("own-name", term.label, "form"))
                continue
            if term.entity_id == entity.id or (term.entity_id is None and company):
                items.append(Evidence(term.kind, term.label, where(hstart)))
        for term in title_terms:
            if term.entity_id == entity.id or (term.entity_id is None and company):
                items.append(Evidence(term.kind, term.label, "article"))
        if company:
            items += [Evidence("programme", name, where(ps)) for ps, _, name in programme_spans]
            _, nearest = _words_before(text, start)
            noun = next((w for w in (nearest, *_apposition(text[end : end + 60])) if w in COMPANY_NOUNS), None)
            if noun:
                items.append(Evidence("company-noun", noun, "beside"))
        for regex in self._exclusions[entity.id]:
            if regex.search(text, sentence[0], sentence[1]):
                items.append(Evidence("excluded", regex.pattern, "sentence"))
        if pattern.variant:
            _, nearest = _words_before(text, start)
            if nearest in EVERYDAY_BEFORE:
                items.append(Evidence("everyday-phrase", nearest, "beside"))
        return items

    def _decide(
        self,
        pattern: _Pattern,
        text: str,
        start: int,
        end: int,
        hits: list[tuple[int, int, _Term]],
        title_terms: list[_Term],
        programme_spans: list[tuple[int, int, str]],
    ) -> tuple[Candidate, tuple[Evidence, ...]]:
        """The candidate, and its strong evidence in its own sentence (for the discourse step)."""
        entity = pattern.entity
        left, right = _sentence_bounds(text, start, end)
        own_person = any(
            t.kind == "person-of" and t.entity_id == entity.id and hs <= start and end <= he for hs, he, t in hits
        )

        def result(accepted: bool, rule: str, evidence: str, confidence: float, verdict: Verdict | None = None) -> Candidate:
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
                score=round(verdict.score, 3) if verdict else 0.0,
                evidence_for="; ".join(map(str, verdict.evidence_for)) if verdict else "",
                evidence_against="; ".join(map(str, verdict.evidence_against)) if verdict else evidence,
            )

        veto = self._veto(pattern, text, start, end, own_person)
        items = self._evidence(pattern, text, start, end, (left, right), hits, title_terms, programme_spans)
        strong_here = tuple(e for e in items if e.kind in STRONG and e.where in ("sentence", "form"))
        if veto:
            verdict = weigh(items)
            return result(False, veto[0], veto[1], 0.05, verdict), strong_here
        verdict = weigh(items)
        return result(verdict.accepted, verdict.rule, verdict.evidence, verdict.confidence, verdict), strong_here

    @staticmethod
    def _one_sense_per_discourse(decided: list[tuple[_Pattern, Candidate, tuple[Evidence, ...]]]) -> list[Candidate]:
        """Spread a sense along the name's chain in the article.

        A surname shown once to be a person's ("Marco Santini", "il sindaco Galdi") is that
        person's in its later bare occurrences, unless confirmed on the spot. A name confirmed
        once is confirmed in its occurrences that had no evidence of their own.
        """
        person_of: dict[str, Candidate] = {}
        confirmed: dict[str, Candidate] = {}
        for pattern, c, _ in decided:
            if c.rule == "person" and pattern.alias.person_like:
                person_of.setdefault(c.entity_id, c)
            if c.accepted and c.rule != "weighed":
                confirmed.setdefault(c.entity_id, c)
        out: list[Candidate] = []
        for pattern, c, strong_here in decided:
            person = person_of.get(c.entity_id)
            if (
                person is not None
                and (c.accepted or c.rule in ("no-context", "weak-only"))
                and pattern.alias.person_like
                and c.start_char > person.start_char
                and not strong_here
            ):
                c = replace(c, accepted=False, rule="person-chain", evidence=person.snippet[:80], confidence=0.1,
                            evidence_against=f"person-chain:{person.matched_text} ({person.evidence})")
            elif not c.accepted and c.rule in ("no-context", "weak-only") and c.entity_id in confirmed and not (
                person is not None and pattern.alias.person_like
            ):
                source = confirmed[c.entity_id]
                c = replace(c, accepted=True, rule="same-article", evidence=source.matched_text,
                            confidence=round(min(source.confidence, 0.85), 3),
                            evidence_for=f"same-article:{source.matched_text}@{source.start_char}; {c.evidence_for}".rstrip("; "))
            out.append(c)
        return out
