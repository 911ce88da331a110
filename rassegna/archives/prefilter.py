"""Which archive records could hold a watched name: a cheap test on the raw bytes.

A month of CC-NEWS is millions of pages and a handful mention the watchlist, so
extraction (trafilatura, ~20 ms a page) may only see the records that can hold a
mention. The test must never drop one the full path (extraction, then the
matcher) would find, so it is written as an over-approximation of that path:

- Aliases are folded as the matcher folds them (textnorm.fold_string), lower-cased,
  and reduced to ASCII words: every other character is a separator. The matcher
  only matches an alias on word boundaries, so its words appear between separators.
- The page is reduced the same way: ASCII-compatible bytes are lower-cased in
  place; every byte outside [a-z0-9] (punctuation, spaces, non-ASCII bytes of any
  single-byte or UTF-8 text) becomes a separator. Entities are decoded first
  (`Mac&amp;Nil`, `&#71;aldi`), pages in UTF-16/32 are decoded, and pages with
  compatibility characters that NFKC turns into ASCII letters (full-width forms,
  ligatures) are normalised as the matcher's folding does.
- Tags are separators in one view ("<p>Galdi</p><p>Rain" has both words on
  boundaries) and vanish in another ("Gal<b>di</b>" is "Galdi" to the extractor);
  the second view counts only where a tag really falls inside the name.

What passes is a candidate; the matcher then decides on the extracted text.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ahocorasick

from rassegna.config import Watchlist
from rassegna.extraction.article import decode_html
from rassegna.matching.textnorm import fold_string

# Tag starts as browsers read them: '<' then a letter, '/', '!' or '?'. "a < b" in text is text.
_TAG = re.compile(rb"<[a-z/!?][^>]*>")
# Named references need their ';' (browsers decode "&amp" without one only for a few legacy
# names, all punctuation or space); every named one is a separator: none stands for an ASCII
# letter or digit. Numeric ones for ASCII letters and digits ("&#71;aldi") are decoded.
_NAMED = re.compile(rb"&[a-z][a-z0-9]*;")
# "&amp;" left over from escaping twice is an ampersand to the matcher's folding.
_AMPERSAND = re.compile(rb"&(?:amp;|#38;|#x26;)+")
_NUMERIC_ALNUM = re.compile(rb"&#(?:x0*(?:3[0-9]|4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a])|0*(?:4[89]|5[0-7]|6[5-9]|[78][0-9]|9[07-9]|1[01][0-9]|12[0-2]));?")
_NUMERIC = re.compile(rb"&#(?:x[0-9a-f]+|[0-9]+);?")
_MARK = b"\x01"  # where a tag was
# Elements whose content is never article text.
_INVISIBLE = ((b"<script", b"</script"), (b"<style", b"</style"))
# bytes -> lower-case ASCII letters and digits, the tag mark, or a separator.
_KEEP = bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("0"), ord("9") + 1))
_TO_WORDS = bytes(c if c in _KEEP else ord(" ") for c in range(256))
_TO_WORDS_MARKED = bytes(c if c in _KEEP or c == _MARK[0] else ord(" ") for c in range(256))
# Charsets whose ASCII letters are not single ASCII bytes.
_WIDE = re.compile(r"utf[-_]?(16|32)|ucs[-_]?[24]", re.IGNORECASE)
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")
# UTF-8 of the characters that NFKC (in the matcher's folding) turns into ASCII letters:
# full-width forms (U+FF01-FF5E), ligatures (U+FB00-FB06), mathematical letters (U+1D400-).
# A page with any is decoded and normalised. Rarer compatibility letters (superscripts,
# circled letters, letterlike symbols) are not looked for: a name spelt with them would
# be missed here.
_COMPAT_LEADS = {b"\xef": (b"\xbc", b"\xbd", b"\xac"), b"\xf0": (b"\x9d",)}


def words(text: str) -> str:
    """An alias (or any text) as the prefilter sees it: ASCII words joined by single spaces."""
    folded = unicodedata.normalize("NFKC", fold_string(text)).lower()
    return " ".join(folded.encode("ascii", "replace").translate(_TO_WORDS).decode("ascii").split())


def _decode_numeric(match: re.Match[bytes]) -> bytes:
    return html.unescape(match.group(0).decode("ascii")).lower().encode("ascii")


class Prefilter:
    """Aho-Corasick automata of the watchlist's aliases (folded, as ASCII words)."""

    def __init__(self, watchlist: Watchlist) -> None:
        keys = {words(alias.text) for entity in watchlist.entities for alias in entity.aliases}
        # An alias with no ASCII letter or digit at all ("Сбербанк") cannot be tested on bytes:
        # then every record is a candidate, slower but never wrong.
        self.passes_everything = "" in keys
        self.keys = sorted(keys - {""})
        self._bounded = ahocorasick.Automaton()
        self._joined = ahocorasick.Automaton()
        for key in self.keys:
            self._bounded.add_word(f" {key} ", key)
            self._joined.add_word(key, key)
        # The name with tag marks between its letters and separators or marks between its words.
        self._split = {
            key: re.compile(rb"[ \x01]+".join(b"\x01*".join(re.escape(bytes([c])) for c in w.encode()) for w in key.split()))
            for key in self.keys
        }
        if self.keys:
            self._bounded.make_automaton()
            self._joined.make_automaton()

    def may_mention(self, body: bytes, content_type: str | None = None) -> bool:
        """False only if no watched name can appear in the text extracted from `body`."""
        if self.passes_everything:
            return True
        if not self.keys:
            return False
        marked = _marked(body, content_type)
        separated = " " + " ".join(marked.translate(_TO_WORDS).decode("ascii").split()) + " "
        if next(self._bounded.iter(separated), None) is not None:
            return True
        if _MARK not in marked:
            return False
        joined = " ".join(marked.translate(_TO_WORDS, _MARK).decode("ascii").split())
        suspects = {key for _, key in self._joined.iter(joined)}
        if not suspects:
            return False
        with_marks = marked.translate(_TO_WORDS_MARKED)
        # Only a mark inside the name makes it one the first test could not see.
        return any(_MARK in m.group(0) for key in suspects for m in self._split[key].finditer(with_marks))


def _visible(lowered: bytes) -> bytes:
    """The page without the content of script and style elements."""
    pieces, pos = [], 0
    next_at = {open_: lowered.find(open_) for open_, _ in _INVISIBLE}
    while True:
        found = [(at, open_, close) for open_, close in _INVISIBLE if (at := next_at[open_]) >= 0]
        if not found:
            break
        at, open_, close = min(found)
        end = lowered.find(close, at)
        if end < 0:
            break
        pieces.append(lowered[pos:at])
        pieces.append(b"<")  # the element stays a tag: a separator like any other
        pos = end + 1
        for other, _ in _INVISIBLE:
            if 0 <= next_at[other] < pos:
                next_at[other] = lowered.find(other, pos)
    if not pieces:
        return lowered
    pieces.append(lowered[pos:])
    return b"".join(pieces)


def _marked(body: bytes, content_type: str | None) -> bytes:
    """The visible page lower-cased, references decoded, each tag replaced by the mark."""
    if not body.isascii():
        body = _ascii_compatible(body, content_type)
    text = _TAG.sub(_MARK, _visible(body.lower()))
    if b"&" in text:
        text = _NAMED.sub(b" ", _AMPERSAND.sub(b"&", text))
        if b"&#" in text:
            text = _NUMERIC.sub(b" ", _NUMERIC_ALNUM.sub(_decode_numeric, text))
    return text


def _has_compat(body: bytes) -> bool:
    for lead, seconds in _COMPAT_LEADS.items():
        at = body.find(lead)
        while at >= 0:
            if body[at + 1 : at + 2] in seconds:
                return True
            at = body.find(lead, at + 1)
    return False


def _ascii_compatible(body: bytes, content_type: str | None) -> bytes:
    """Bytes in which every ASCII letter of the text is that one byte, others >= 0x80."""
    wide = (
        body.startswith(_WIDE_BOMS)
        or bool(_WIDE.search(content_type or ""))
        or bool(_WIDE.search(body[:4096].decode("ascii", "replace")))
        or body[:200].count(b"\x00") > 20
    )
    if not wide and not _has_compat(body):
        # Single-byte charsets and UTF-8 alike already carry every ASCII letter as that byte.
        return body
    text, _ = decode_html(body, content_type)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.encode("ascii", "replace")
