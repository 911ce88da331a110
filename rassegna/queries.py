"""Search queries for discovery sources, built from the watchlist.

Feeds and sitemaps only show what an outlet chose to publish there; a search
engine finds the regional paper or trade blog nobody listed. One query per
entity keeps the request count (and the engines' patience) small.

The queries are engine-neutral: exact phrases in double quotes, juxtaposition
for AND, `OR` between alternatives, parentheses for groups. Google News and
Bing read that as it is; GDELT needs the small rewrite in `gdelt_queries`.
A search engine ignores case, so it returns more than the matcher accepts
("rain" the weather): every page found still goes through the matcher, the
query only has to be narrow enough not to flood the crawl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rassegna.config import Entity, Watchlist

# Enough alternatives to catch the usual coverage of an ambiguous name, few enough that
# the query stays under the engines' length limits (Google reads about 32 words).
MAX_CONFIRMING = 8

# GDELT refuses words shorter than this ("The specified phrase is too short.").
GDELT_MIN_WORD = 4
GDELT_MIN_PHRASE = 5


class QueryError(ValueError):
    """A query that the neutral syntax or an engine cannot express; the message says why."""


def _phrase(text: str) -> str:
    return '"' + " ".join(text.replace('"', " ").split()) + '"'


def _unique(texts: list[str]) -> list[str]:
    # Engines ignore case and a trailing full stop: "I.co.p" and "I.CO.P." are one search.
    seen: set[str] = set()
    kept = []
    for text in texts:
        key = " ".join(text.split()).rstrip(".").casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(text)
    return kept


def _whole_terms(terms: list[str], exclude: set[str]) -> list[str]:
    """Terms a search engine can look for as written.

    A stem ("irrigazion*") names a family of words no search engine expands, and the
    bare stem is often no word at all; a phrase ending in a stem ("filling machine*")
    keeps its whole words when at least two remain.
    """
    kept = []
    for term in terms:
        if term.endswith("*"):
            words = term.rstrip("*").split()[:-1]
            if len(words) < 2:
                continue
            term = " ".join(words)
        if term.casefold() not in exclude:
            kept.append(term)
    return _unique(kept)


def _confirming(entity: Entity, shared: list[str], exclude: set[str]) -> list[str]:
    """Terms that confirm an ambiguous name: its own first, then the mission's.

    Two places are kept for the shared terms even when the entity has many of its
    own: "Santini" with "Imprese Vincenti" is exactly the coverage this monitor is for.
    """
    own = _whole_terms([*entity.context, *entity.products, *entity.sector, *entity.places], exclude)
    common = [t for t in _whole_terms(shared, exclude) if t.casefold() not in {o.casefold() for o in own}]
    taken = own[: MAX_CONFIRMING - min(2, len(common))]
    return taken + common[: MAX_CONFIRMING - len(taken)]


def entity_query(entity: Entity, shared_context: list[str] | None = None) -> str | None:
    """The one query for an entity, or None when nothing about it is safe to search.

    Distinctive names are searched alone; a name that is also a word or a surname
    ("Rain", "Santini") only together with terms that confirm it, never bare.
    """
    if entity.kind == "programme":
        distinctive = [entity.name] + [a.text for a in entity.aliases if a.requires_context is False]
        ambiguous: list[str] = []
    else:
        distinctive, ambiguous = [], []
        for alias in entity.aliases:
            needs = entity.requires_context if alias.requires_context is None else alias.requires_context
            (ambiguous if needs else distinctive).append(alias.text)
    distinctive = _unique(distinctive)
    ambiguous = [a for a in _unique(ambiguous) if a.casefold() not in {d.casefold() for d in distinctive}]
    parts = [_phrase(p) for p in distinctive]
    # Shared context (the programmes, the mission) confirms companies, not the programmes themselves.
    shared = list(shared_context or []) if entity.kind == "company" else []
    confirm = _confirming(entity, shared, {a.casefold() for a in ambiguous})
    if ambiguous and confirm:
        names = _group([_phrase(a) for a in ambiguous])
        guarded = f"{names} {_group([_phrase(t) for t in confirm])}"
        parts.append(f"({guarded})" if parts else guarded)
    return " OR ".join(parts) if parts else None


def _group(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"


def discovery_queries(watchlist: Watchlist) -> list[str]:
    """One engine-neutral query per watched entity, in watchlist order."""
    queries = (entity_query(e, watchlist.shared_context) for e in watchlist.entities)
    return [q for q in queries if q]


# --- parsing the neutral syntax ------------------------------------------------

_TOKEN = re.compile(r'\s*(?:([A-Za-z]+\d*:"[^"]*")|"([^"]*)"|(\()|(\))|(\S+?)(?=[\s()"]|$))')
# An engine's own operator, written by an operator in a source's `queries:` (GDELT's
# sourcecountry:italy, domain:example.it, near20:"a b", Google's site:...): passed through as written.
_OPERATOR = re.compile(r'^[A-Za-z]+\d*:(?:"[^"]*"|[^\s"()]+)$')


@dataclass(frozen=True)
class Term:
    text: str


@dataclass(frozen=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]


Node = Term | AllOf | AnyOf


def parse_query(query: str) -> Node:
    """The neutral syntax as a tree: OR binds loosest, juxtaposition is AND."""
    tokens: list[str | Term] = []
    pos = 0
    text = query.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise QueryError(f"query {query!r}: cannot read it from position {pos}")
        pos = match.end()
        operator, phrase, opening, closing, word = match.groups()
        if operator is not None:
            tokens.append(Term(operator))
        elif phrase is not None:
            if phrase.strip():
                tokens.append(Term(" ".join(phrase.split())))
        elif opening or closing:
            tokens.append(opening or closing)
        elif word == "OR":
            tokens.append("OR")
        elif word:
            tokens.append(Term(word))
    node, rest = _parse_any(tokens, query)
    if rest:
        raise QueryError(f"query {query!r}: unbalanced ')'")
    return node


def _parse_any(tokens: list[str | Term], query: str) -> tuple[Node, list[str | Term]]:
    alternatives = []
    while True:
        node, tokens = _parse_all(tokens, query)
        alternatives.append(node)
        if tokens and tokens[0] == "OR":
            tokens = tokens[1:]
            continue
        break
    return (alternatives[0] if len(alternatives) == 1 else AnyOf(tuple(alternatives))), tokens


def _parse_all(tokens: list[str | Term], query: str) -> tuple[Node, list[str | Term]]:
    items: list[Node] = []
    while tokens and tokens[0] not in ("OR", ")"):
        head, tokens = tokens[0], tokens[1:]
        if head == "(":
            inner, tokens = _parse_any(tokens, query)
            if not tokens or tokens[0] != ")":
                raise QueryError(f"query {query!r}: '(' is never closed")
            tokens = tokens[1:]
            items.append(inner)
        else:
            items.append(head)  # type: ignore[arg-type]
    if not items:
        raise QueryError(f"query {query!r}: empty alternative (OR at an end, or '()')")
    return (items[0] if len(items) == 1 else AllOf(tuple(items))), tokens


# --- GDELT ----------------------------------------------------------------------


def _gdelt_term(term: Term) -> str | None:
    text = term.text
    if _OPERATOR.match(text):
        return text
    if " " in text or not re.fullmatch(r"\w+", text):
        return f'"{text}"' if len(text) >= GDELT_MIN_PHRASE else None
    # A quoted single word must be five characters; unquoted, four are accepted.
    return text if len(text) >= GDELT_MIN_WORD else None


def _gdelt_or(node: Node) -> str | None:
    """An OR group of terms, in GDELT's form: parenthesised, and only with two or more members."""
    terms = [node] if isinstance(node, Term) else list(node.items) if isinstance(node, AnyOf) else None
    if terms is None or not all(isinstance(t, Term) for t in terms):
        return None
    kept = _unique([t for t in (_gdelt_term(t) for t in terms) if t])  # type: ignore[arg-type]
    if not kept:
        return ""
    return kept[0] if len(kept) == 1 else "(" + " OR ".join(kept) + ")"


def gdelt_queries(query: str) -> list[str]:
    """A neutral query as GDELT DOC 2.0 accepts it, split where GDELT cannot nest.

    GDELT wants every OR inside parentheses, no groups within groups and no short
    words; `"A" OR ("B" (c OR d))` becomes `"A"` and `"B" (c OR d)`, two requests.
    Terms too short for GDELT are left out; an alternative left with nothing is dropped,
    and a query left with nothing at all is refused (QueryError), so it is recorded, not lost.
    Operators (`sourcecountry:italy`, `domain:example.it`, `near20:"a b"`) pass through.
    """
    root = parse_query(query)
    alternatives = list(root.items) if isinstance(root, AnyOf) else [root]
    simple: list[Term] = []
    out: list[str] = []
    for alternative in alternatives:
        if isinstance(alternative, Term):
            simple.append(alternative)
            continue
        parts = []
        for item in alternative.items if isinstance(alternative, AllOf) else (alternative,):
            rendered = _gdelt_or(item)
            if rendered is None:
                raise QueryError(f"query {query!r}: GDELT cannot search groups nested this deep")
            parts.append(rendered)
        if all(parts):
            out.append(" ".join(parts))
    if simple:
        group = _gdelt_or(AnyOf(tuple(simple)))
        if group:
            out.insert(0, group)
    if not out:
        raise QueryError(f"query {query!r}: every term is shorter than GDELT accepts ({GDELT_MIN_WORD} letters"
                         f" for a word, {GDELT_MIN_PHRASE} for a quoted phrase), or lacks a confirming term")
    return _unique(out)
