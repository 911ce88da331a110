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
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache

import ahocorasick

from rassegna.config import Alias, Entity, Watchlist
from rassegna.matching.evidence import THRESHOLD, Evidence, Verdict, weigh, weigh_sentence
from rassegna.matching.names import (
    COMPANY_ARTICLES,
    COMPANY_DESIGNATORS,
    COMPANY_NOUNS,
    EVERYDAY_BEFORE,
    FIRST_NAMES,
    OTHER_BUSINESSES,
    ITALIAN_PLACES,
    OTHER_BUSINESSES_TWO_WORDS,
    PERSON_AFTER,
    PROGRAMME_BEFORE,
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
_AGE_AFTER = re.compile(r"^(,\s*\d{1,3}\s*(anni|enne)\b|,\s*[a-zà-ù']+\s*anni\b|,\s*\d{1,3}\s*,|\s*\(\d{1,3}\)|,\s*aged\s+\d|,\s*(a\s+)?\d{1,3}-year-old)")
# "Rain Industries", "Innovit Labs", "Aton Solutions": another firm that shares the name.
_OTHER_FIRM_AFTER = re.compile(
    r"^\s+(Labs?|Industries|Inc\.?|Ltd\.?|LLC|GmbH|Solutions|Systems|Technologies|Tech|Holdings?|Capital|"
    r"Partners|Ventures|Media|Studios?|Records|Foundation|Corp\.?|Corporation|Motors|Pharma|Software|"
    r"Networks|Games|Entertainment|Energy|Robotics|RFID|Airlines|Bank|Insurance|"
    r"Club|Crew|Fitness|Gym|Hotel|Pub|Bar|Band|Team|Academy|FC|Festival|"
    # Partnerships and family firms are the small local namesakes ("Galdi Snc", "Santini & Figli").
    r"S\.?n\.?c\.?|S\.?a\.?s\.?|&\s*C\.|&\s*[Ff]igli|e\s+[Ff]igli|[Cc]ostruzioni|[Aa]rredamenti|[Ii]mpianti|[Ii]mballaggi|"
    r"[Tt]rasporti|[Aa]utotrasporti|[Ii]mmobiliare|[Aa]ssicurazioni|[Vv]iaggi|[Cc]alzature|[Aa]utomobili|"
    r"Design|Architects|Architetti|Associati|Consulting|Services?|Motorsport|Racing|S\.?r\.?l\.?s\.?)(?![\w])"
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
_DESCRIBED_IN_BRACKETS = re.compile(r"\s*\([^()]{3,50}\)")
# A sentence that opens by naming a company ("La società di Postioma", "The Bergamo knitwear
# company") continues the previous sentence's subject.
_REFERS_BACK = re.compile(
    r"\s*(?:La|L['’]|Il|Lo|The|This|Questa|Quest['’]|Le|Gli|I|Both|Two|Three|Entrambe|Le\s+due|Le\s+tre)\s*"
    r"(?:[\w-]+\s+){0,2}?"
    r"(?:società|aziende?|imprese?|gruppo|company|companies|firms?|group|makers?|manufacturers?|providers?|"
    r"suppliers?|developers?|producers?|specialists?|contractors?)\b"
)
_ELISION = re.compile(r"^(?:[a-z]+['’])")
# "Galdi, storica azienda di Postioma": the apposition after the name.
_APPOSITION_AFTER = re.compile(r"^\s*[,:–—(]\s*(?:(?:l['’]|un['’])\s*|(?:la|il|lo|una|un|uno|the|a|an)\s+)?([\w-]+)(?:\s+([\w-]+))?(?:\s+([\w-]+))?(?:\s+([\w-]+))?")


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
# Kinds of business that are also adjectives after a noun: "le macchine per i liquidi
# alimentari di Galdi" is Galdi's trade, not a grocer's; "Alimentari Galdi" still is one.
_ADJECTIVES_TOO = frozenset({"alimentari"})
# Kinds of business that are also a verb after a subject: "Rain mostra la sua centralina"
# (shows), "Move danza" is rarer but the same; "Rain mostra" as a show's name is not caught.
_VERBS_TOO = frozenset({"mostra", "danza"})


# "il negozio di arredamento Las Mobili": a shop named for its trade, then its name. Only
# shops: "alla conferenza di oggi Galdi", "nel consorzio di imprese Icop" are no business's name.
_BUSINESS_OF_TRADE = re.compile(r"\b(\w+) (?:di|da) [a-zà-ù]+ $")
_SHOPS = frozenset({"negozio", "bottega", "emporio", "boutique", "officina", "shop", "store"})


# Vetoes that show the name in another sense, which its later bare occurrences keep.
_OTHER_SENSES = frozenset({"person", "other-firm", "excluded-form", "adjacent-business", "other-owner"})


def _italian_place(name: str) -> bool:
    return name.split()[-1].lower() in ITALIAN_PLACES


def _only_space(text: str, end: int, start: int) -> bool:
    return 0 < start - end <= 3 and not text[end:start].strip()


_NAME_GOES_ON = re.compile(r"[ \t]+([A-ZÀ-Ý][\w.'’-]*)")


def _name_goes_on(text: str, end: int) -> bool:
    """Another capitalised word after the name ("Manta Group Eventi"), not a legal form ("Manta Group SpA")."""
    found = _NAME_GOES_ON.match(text, end)
    return bool(found) and found.group(1).lower() not in COMPANY_DESIGNATORS


# Every candidate of one text asks about the same text: a small cache, not one per article seen.
@lru_cache(maxsize=4)
def _occurrences(text: str, word: str) -> tuple[int, ...]:
    """Where `word` (a name's first word) stands on its own in `text`, in any casing, in order."""
    return tuple(m.start() for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE))


def _nearer_another(occurrences: tuple[int, ...], position: int, start: int, end: int) -> bool:
    """Is `position` nearer another occurrence of the name than this one (at `start`..`end`)?"""
    at = bisect_left(occurrences, position)
    neighbours = [o for o in occurrences[max(0, at - 2) : at + 2] if not start <= o < end]
    return any(abs(position - other) < abs(position - start) for other in neighbours)


# Words that end an apposition's description of the name: what follows is something else's.
_PREPOSITIONS = frozenset(
    "di a da in con su per tra fra del della dello dei degli delle al alla allo ai agli alle dal dalla nel nella"
    " sul sulla of at on for with from by to".split()
)


def _apposition(after: str) -> tuple[str, ...]:
    """The first words of an apposition after the name, lower case, up to four and up to the
    first preposition: the noun that says what it is comes second in Italian ("Galdi, storica
    azienda di...") and after its adjectives in English ("Mac & Nil, the Italian fleet-tracking
    company"); after a preposition a noun is something else's ("Galdi, operaio in una azienda")."""
    found = _APPOSITION_AFTER.match(after)
    words: list[str] = []
    for word in (w.lower() for w in found.groups() if w) if found else ():
        if word in _PREPOSITIONS:
            break
        words.append(word)
    return tuple(words)



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
        # "supply chain" is also written "supply-chain".
        terms += [(text.replace(" ", "-"), term) for text, term in terms if " " in text]
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
        decided: list[tuple[_Pattern, Candidate, float]] = []
        for pattern, fstart, fend in raw:
            start, end = folded.span(fstart, fend)
            candidate, on_the_spot = self._decide(pattern, text, start, end, hits, title_terms, programme_spans)
            if candidate.accepted and pattern.entity.id in self._programmes:
                programme_spans.append((start, end, pattern.entity.name))
            decided.append((pattern, candidate, on_the_spot))
        decided = self._co_listed(decided, text, hits, title_terms, programme_spans)
        result = self._one_sense_per_discourse(decided)
        result.sort(key=lambda c: (c.start_char, c.entity_id))
        return result

    def _co_listed(
        self,
        decided: list[tuple[_Pattern, Candidate, float]],
        text: str,
        hits: list[tuple[int, int, _Term]],
        title_terms: list[_Term],
        programme_spans: list[tuple[int, int, str]],
    ) -> list[tuple[_Pattern, Candidate, float]]:
        """Decide again a company left short of evidence that its sentence lists with others of ours.

        "The twelve companies on the mission were Aton, Galdi, I.co.p...": each name listed with
        other watched companies that have evidence of their own speaks for the others.
        """
        supported = [
            c for p, c, _ in decided
            if p.entity.kind == "company" and c.rule not in _OTHER_SENSES and (c.accepted or c.score >= 1.0)
        ]
        if len({c.entity_id for c in supported}) < 2:
            return decided
        out = []
        for pattern, c, on_the_spot in decided:
            if pattern.entity.kind == "company" and not c.accepted and c.rule in ("no-context", "weak-only"):
                left, right = _sentence_bounds(text, c.start_char, c.end_char)
                others = sorted({o.entity_name for o in supported
                                 if o.entity_id != c.entity_id and left <= o.start_char < right})
                if others:
                    listed = [Evidence("co-listed", name, "sentence") for name in others]
                    c, on_the_spot = self._decide(
                        pattern, text, c.start_char, c.end_char, hits, title_terms, programme_spans, listed
                    )
            out.append((pattern, c, on_the_spot))
        return out

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
        if nearest in ("di", "da", "del", "of") and farther in OTHER_BUSINESSES - _OWN_PLACES - _ADJECTIVES_TOO:
            return "adjacent-business", f"{farther} {nearest}"
        kind_of = _BUSINESS_OF_TRADE.search(text, max(0, start - 60), start)
        if kind_of and kind_of.group(1).lower() in _SHOPS:
            return "adjacent-business", kind_of.group(0).strip()
        # The apposition's first word only: "Martinorossi, al convegno di..." is no convention.
        business = next((w for w in _apposition(after)[:1] if w in OTHER_BUSINESSES - _OWN_PLACES), None)
        if business:
            # "il gruppo Aton, band di Castelfranco"
            return "adjacent-business", business
        next_word = re.match(r"\s+([\w-]+)", after)
        if next_word and next_word.group(1) in OTHER_BUSINESSES - _VERBS_TOO:
            return "adjacent-business", next_word.group(1)
        owner = _OWNER_AFTER.match(after)
        if owner and (_PRODUCT_BEFORE.search(text, max(0, start - 30), start) or re.match(r"\s+" + _PRODUCT_NOUNS, after)):
            if not self._is_ours(owner.group(1)):
                return "other-owner", owner.group(0).strip()
        possessor = _POSSESSIVE_BEFORE.search(text, max(0, start - 60), start)
        if possessor and not self._is_ours(possessor.group(1)) and not _italian_place(possessor.group(1)):
            return "other-owner", possessor.group(0).strip()
        if pattern.alias.person_like:
            # Its own person's name ("Monica Santini") is no person cue, but an age or a
            # person's role after it is: "Monica Santini, 48 anni, infermiera" is a namesake.
            cue = _AGE_AFTER.match(after[:30]) if own_person else None
            cue_text = cue.group(0).strip(" ,") if cue else (None if own_person else _person_cue(text, start, end))
            if cue_text:
                return "person", cue_text
            verb = _PERSON_AFTER.match(after)
            if verb:
                return "person", verb.group(0).strip(" ,")
        return None

    def _is_ours(self, name: str) -> bool:
        """One of our entities, places or people: "For Cremona's MartinoRossi" is no other owner."""
        words = fold_string(name).lower().split()
        return any(" ".join(words[i:]) in self._ours for i in range(len(words)))

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
        if company and _REFERS_BACK.match(text, sentence[1], min(len(text), sentence[1] + 80)):
            # "Galdi guarda agli USA. La società di Postioma...": the next sentence is about it too.
            _, next_end = _sentence_bounds(text, sentence[1] + 1, sentence[1] + 2)
            sentence = (sentence[0], max(sentence[1], next_end))

        def where(position: int) -> str:
            if sentence[0] <= position < sentence[1]:
                return "sentence"
            return "paragraph" if paragraph[0] <= position < paragraph[1] else "article"

        items: list[Evidence] = []
        if not pattern.needs_context:
            items.append(Evidence("alias", pattern.alias.text, "form"))
        designator = pattern.alias.text.split()[-1]
        # Only where the name ends: "Manta Group Eventi" is another firm's longer name.
        if (company and len(pattern.alias.text.split()) > 1 and designator.lower() in COMPANY_DESIGNATORS
                and not _name_goes_on(text, end)):
            items.append(Evidence("company-noun", designator, "form"))
        # Only for a name that needs context: a distinctive spelling's namesake words already
        # count half ("LAS Mobili" at the Las Vegas Market), and there the other occurrence
        # is the namesake's own place, which does speak of this one.
        namesake_near = company and pattern.needs_context and any(
            t.kind == "namesake" and t.entity_id == entity.id for _, _, t in hits)
        occurrences = _occurrences(text, pattern.alias.text.split()[0]) if namesake_near else ()
        for hstart, hend, term in hits:
            # A term inside the name itself ("hub" in "Italian Innovation and Culture Hub") says nothing;
            # the name inside its own person's ("Monica Santini") says a little.
            if hstart < end and start < hend:
                if term.kind == "person-of" and term.entity_id == entity.id:
                    items.append(Evidence("own-name", term.label, "form"))
                continue
            if term.kind == "namesake" and term.entity_id == entity.id and _nearer_another(occurrences, hstart, start, end):
                # "una rara Opel Manta, domenica l'open day di Manta Group": the namesake's word
                # belongs to the other occurrence of the name beside it, not to this one. It
                # still says the other meaning is in the article.
                items.append(Evidence(term.kind, term.label, "article"))
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
            if not noun and _DESCRIBED_IN_BRACKETS.match(text, end, end + 60) and any(
                t.kind == "sector" and t.entity_id == entity.id and end < hs < text.find(")", end) for hs, _, t in hits
            ):
                # "Malvestio (letti ospedalieri)": the brackets say what it does.
                noun = "(…)"
            trade = None if noun else next(
                ((hs, t.label) for hs, he, t in hits
                 if t.kind == "sector" and t.entity_id == entity.id and _only_space(text, he, start)), None)
            if trade:
                # "il maglificio Santini": its own trade as the noun of the name says it is a
                # company, once; the same word is not also counted as a sector word, so a trade
                # alone stays one kind of weak evidence ("Il maglificio Santini ha chiuso").
                noun = trade[1]
                items = [e for e in items if not (e.kind == "sector" and e.term == trade[1])]
            if noun:
                items.append(Evidence("company-noun", noun, "beside"))
            if nearest in COMPANY_ARTICLES:
                items.append(Evidence("company-article", nearest, "beside"))
        for regex in self._exclusions[entity.id]:
            if regex.search(text, sentence[0], sentence[1]):
                items.append(Evidence("excluded", regex.pattern, "sentence"))
        if pattern.variant:
            farther, nearest = _words_before(text, start)
            if nearest in EVERYDAY_BEFORE and not text[start].isupper():
                items.append(Evidence("everyday-phrase", nearest, "beside"))
            elif nearest in EVERYDAY_BEFORE:
                # "tra le Imprese vincenti": the capital speaks for the name, the article against.
                items.append(Evidence("everyday-phrase", nearest, "beside"))
            for words in (f"{farther}:{nearest}", nearest, *_apposition(text[end : end + 40])[:1]):
                if words in PROGRAMME_BEFORE:
                    items.append(Evidence("collocation", words.replace(":", " "), "beside"))
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
        extra: list[Evidence] | None = None,
    ) -> tuple[Candidate, float]:
        """The candidate, and the support its own sentence gives it (for the discourse step)."""
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
        items += extra or []
        # What its own sentence says, the spelling aside: enough to hold against another sense.
        on_the_spot = weigh_sentence([e for e in items if e.kind != "alias" and e.weight > 0])
        verdict = weigh(items)
        if veto:
            return result(False, veto[0], veto[1], 0.05, verdict), on_the_spot
        return result(verdict.accepted, verdict.rule, verdict.evidence, verdict.confidence, verdict), on_the_spot

    @staticmethod
    def _one_sense_per_discourse(decided: list[tuple[_Pattern, Candidate, float]]) -> list[Candidate]:
        """Spread a sense along the name's chain in the article.

        A name shown once to be someone or something else (a person: "Marco Santini", "il
        sindaco Galdi"; another firm: "Podium Engineering Ltd, a Manchester consultancy") is
        that in its later occurrences, unless confirmed on the spot by its own sentence. A
        name confirmed once is confirmed in its occurrences that had no evidence of their own.
        """
        other_sense: dict[str, Candidate] = {}
        confirmed: dict[str, Candidate] = {}
        for pattern, c, _ in decided:
            if c.rule in _OTHER_SENSES and (c.rule != "person" or pattern.alias.person_like):
                other_sense.setdefault(c.entity_id, c)
            if c.accepted and c.rule != "weighed":
                confirmed.setdefault(c.entity_id, c)
        out: list[Candidate] = []
        for pattern, c, on_the_spot in decided:
            other = other_sense.get(c.entity_id)
            if (
                other is not None
                and other.alias == c.alias  # "bar Podium" says nothing of a later "Podium Engineering"
                and c.start_char > other.start_char
                and (c.accepted or c.rule in ("no-context", "weak-only"))
                and on_the_spot < THRESHOLD
            ):
                chain = "person-chain" if other.rule == "person" else "namesake-chain"
                c = replace(c, accepted=False, rule=chain, evidence=other.snippet[:80], confidence=0.1,
                            evidence_against=f"{chain}:{other.matched_text} ({other.rule}: {other.evidence})")
            elif not c.accepted and c.rule in ("no-context", "weak-only") and c.entity_id in confirmed and other is None:
                source = confirmed[c.entity_id]
                c = replace(c, accepted=True, rule="same-article", evidence=source.matched_text,
                            confidence=round(min(source.confidence, 0.85), 3),
                            evidence_for=f"same-article:{source.matched_text}@{source.start_char}; {c.evidence_for}".rstrip("; "))
            out.append(c)
        return out
