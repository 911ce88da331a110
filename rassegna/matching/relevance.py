"""How strongly an article covers each programme: headline, lead, body or passing mention.

Analysts filter coverage of Imprese Vincenti and INNOVIT by this: an article
*about* the programme names it in the headline or the lead; an article that
merely lists it mentions it once, further down.
"""

from __future__ import annotations

from dataclasses import dataclass

from rassegna.matching.matcher import Candidate, Matcher

LEAD_CHARS = 400
STRENGTHS = ("headline", "lead", "body", "passing")


@dataclass(frozen=True)
class Relevance:
    entity_id: str
    strength: str  # one of STRENGTHS, strongest first
    mentions: int
    in_title: bool


def programme_relevance(matcher: Matcher, title: str, text: str, candidates: list[Candidate]) -> list[Relevance]:
    programmes = {e.id for e in matcher.watchlist.entities if e.kind == "programme"}
    accepted = [c for c in candidates if c.accepted and c.entity_id in programmes]
    # The title is matched with the body as context, so a bare "Imprese Vincenti" headline counts.
    in_title = {c.entity_id for c in matcher.match(title, title=text) if c.accepted} if title else set()
    result = []
    for entity_id in sorted({c.entity_id for c in accepted} | (in_title & programmes)):
        mine = [c for c in accepted if c.entity_id == entity_id]
        if entity_id in in_title:
            strength = "headline"
        elif mine and mine[0].start_char < LEAD_CHARS:
            strength = "lead"
        elif len(mine) >= 2:
            strength = "body"
        else:
            strength = "passing"
        result.append(Relevance(entity_id, strength, len(mine), entity_id in in_title))
    return result
