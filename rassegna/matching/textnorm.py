"""Typography folding that keeps a map back to the original characters.

Matching runs on folded text (curly quotes straightened, non-breaking and
other exotic spaces made plain, `&amp;` left over from double escaping made
`&`, compatibility forms such as ligatures decomposed), but offsets stored for
analysts must point into the article text as stored. `fold` therefore returns
the folded string with, for every folded character, the index of the original
character it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SINGLE = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ",
    "\u2003": " ", "\u3000": " ", "\t": " ",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\uff06": "&",
}
_TABLE = str.maketrans(_SINGLE)
# Characters that vanish: soft hyphens and zero-width marks split words invisibly.
_DROP = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_ENTITY = re.compile(r"&(amp|nbsp|#38|#160|#x26);", re.IGNORECASE)
# A word hyphenated across a line break ("Mal-\nvestio") is one word again.
_SPECIAL = re.compile(
    r"&(?:amp|nbsp|#38|#160|#x26);|(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[^\W\d_])|[^\x00-\x7f]", re.IGNORECASE
)
_ENTITY_VALUE = {"amp": "&", "#38": "&", "#x26": "&", "nbsp": " ", "#160": " "}


@dataclass(frozen=True)
class Folded:
    text: str  # folded, original case
    lower: str  # folded and lower-cased, same length as text
    origin: list[int] | None  # origin[i] = index in the original; None when identical positions

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) for the folded [start, end)."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def fold_string(text: str) -> str:
    """Fold a short string (an alias, a context term) the same way as article text."""
    return fold(text).text


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters (e.g. 'İ') lower to two; keep them so offsets stay aligned.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def fold(text: str) -> Folded:
    # Fast path: plain ASCII with nothing to unescape needs no offset map.
    if (
        text.isascii()
        and "\t" not in text
        and "`" not in text
        and ("&" not in text or not _ENTITY.search(text))
        and not ("-\n" in text or "- \n" in text)
    ):
        return Folded(text, text.lower(), None)
    translated = text.translate(_TABLE)
    needs_map = (
        any(c in translated for c in _DROP)
        or "-\n" in translated
        or "- \n" in translated
        or ("&" in translated and _ENTITY.search(translated) is not None)
        or not unicodedata.is_normalized("NFKC", translated)
    )
    if not needs_map:
        return Folded(translated, _lower_same_length(translated), None)
    # Copy plain runs whole and look only at the special spots: entities and non-ASCII.
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _SPECIAL.finditer(translated):
        start = m.start()
        if start > pos:
            out.append(translated[pos:start])
            origin.extend(range(pos, start))
        token = m.group()
        if token[0] == "-":
            pass  # hyphenation break: dropped
        elif token[0] == "&":
            out.append(_ENTITY_VALUE[token[1:-1].lower()])
            origin.append(start)
        elif token not in _DROP:
            if not unicodedata.is_normalized("NFKC", token):
                token = unicodedata.normalize("NFKC", token).translate(_TABLE)
            out.append(token)
            origin.extend([start] * len(token))
        pos = m.end()
    if pos < len(translated):
        out.append(translated[pos:])
        origin.extend(range(pos, len(translated)))
    folded = "".join(out)
    return Folded(folded, _lower_same_length(folded), origin)
