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
  the second view counts only where a tag really falls inside the name. Block
  elements (paragraphs, list items, cells, line breaks) never join the letters on
  either side in the extracted text, so they are separators in both views: menus
  of adjacent links would otherwise send nearly every page down the slower second
  view. An element not known to be a block is taken as inline.

What passes is a candidate; the matcher then decides on the extracted text.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ahocorasick

from rassegna.config import Watchlist
from rassegna.extraction.article import decode_html
from rassegna.matching.matcher import Matcher
from rassegna.matching.textnorm import fold_string

# Tag starts as browsers read them: '<' then a letter, '/', '!' or '?'. "a < b" in text is text.
_TAG = re.compile(rb"<[a-z/!?][^>]*>")
_BLOCK_TAG = re.compile(
    rb"</?(?:address|article|aside|blockquote|body|br|dd|details|div|dl|dt|fieldset|figcaption|figure|footer|form"
    rb"|h[1-6]|head|header|hr|html|li|link|main|meta|nav|ol|option|p|pre|section|select|summary|table|tbody|td"
    rb"|textarea|tfoot|th|thead|title|tr|ul)(?=[\s/>])[^>]*>"
)
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
# A run of marks with a letter or digit on each side. Written to open with the mark itself
# (the letter before is a look-behind), so the engine skips from mark to mark rather than
# trying every letter of the page: 15x faster on a 140 KB page.
_INSIDE_A_WORD = re.compile(rb"\x01(?<=[a-z0-9]\x01)\x01*[a-z0-9]")
_MARKS_INSIDE = re.compile(rb"\x01(?<=[a-z0-9]\x01)\x01*(?=[a-z0-9])")
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
        # Each alias is looked for by its longest word (its anchor), on word boundaries; an alias
        # of several words is then checked whole, any run of separators between its words.
        self._anchors = ahocorasick.Automaton()
        by_anchor: dict[str, list[str]] = {}
        for key in self.keys:
            by_anchor.setdefault(max(key.split(), key=len), []).append(key)
        for anchor, keys_of in by_anchor.items():
            self._anchors.add_word(f" {anchor} ", keys_of)
        # Literal first, so the regex engine can skip ahead to the first word; the left
        # boundary is checked on each match.
        self._whole = {
            key: re.compile(rb" +".join(re.escape(w.encode()) for w in key.split()) + rb"(?![a-z0-9])")
            for key in self.keys
        }
        # The name with tag marks between its letters and separators or marks between its words.
        self._split = {
            key: re.compile(rb"[ \x01]+".join(b"\x01*".join(re.escape(bytes([c])) for c in w.encode()) for w in key.split()))
            for key in self.keys
        }
        # Every word of every alias, anywhere (not on boundaries): for the runs of letters that a
        # tag splits, where a split name can hide.
        self._word_keys: dict[str, list[str]] = {}
        for key in self.keys:
            for word in set(key.split()):
                self._word_keys.setdefault(word, []).append(key)
        self._words = ahocorasick.Automaton()
        for word, keys_of in self._word_keys.items():
            self._words.add_word(word, keys_of)
        if self.keys:
            self._anchors.make_automaton()
            self._words.make_automaton()

    def may_mention(self, body: bytes, content_type: str | None = None) -> bool:
        """False only if no watched name can appear in the text extracted from `body`."""
        if self.passes_everything:
            return True
        if not self.keys:
            return False
        marked = _marked(body, content_type)
        spaced = marked.translate(_TO_WORDS)
        text = " " + spaced.decode("ascii") + " "
        checked: set[str] = set()
        for _, keys_of in self._anchors.iter(text):
            for key in keys_of:
                if " " not in key:
                    return True
                if key not in checked:
                    checked.add(key)
                    if any(m.start() == 0 or spaced[m.start() - 1] == 32 for m in self._whole[key].finditer(spaced)):
                        return True
        if not _tag_inside_a_word(marked):
            return False
        # Runs of letters and tag marks with a mark inside a word ("gal\x01di\x01"), marks removed:
        # a name split by tags has its split word, whole, in one of them.
        with_marks = marked.translate(_TO_WORDS_MARKED)
        runs = b" ".join(_split_runs(with_marks)).replace(_MARK, b"").decode("ascii")
        suspects = {key for _, keys_of in self._words.iter(runs) for key in keys_of}
        return any(_MARK in m.group(0) for key in suspects for m in self._split[key].finditer(with_marks))


def _split_runs(with_marks: bytes) -> list[bytes]:
    """The runs of letters, digits and marks (between separators) that hold a mark inside a word."""
    runs, end = [], -1
    for found in _MARKS_INSIDE.finditer(with_marks):
        if found.start() < end:
            continue  # inside the run taken already
        start = with_marks.rfind(b" ", 0, found.start()) + 1
        end = with_marks.find(b" ", found.end())
        end = len(with_marks) if end < 0 else end
        runs.append(with_marks[start:end])
    return runs


def _tag_inside_a_word(marked: bytes) -> bool:
    """Is any tag mark (or run of them) between two letters or digits? Menus of adjacent
    links make most pages say yes early, so the search rarely runs to the end."""
    return _INSIDE_A_WORD.search(marked) is not None


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


# What the matcher's folding deletes inside a word (rassegna.matching.textnorm): soft hyphens,
# zero-width marks, a word hyphenated across a line break. Here they split a name as a tag does.
# Three patterns, each opening with a literal byte, rather than one alternation: the regex
# engine then skips ahead to that byte instead of trying every position (the one
# alternation cost ~2 ms on a 140 KB page, more than decompressing it).
_INVISIBLE_NON_ASCII = re.compile(rb"\xc2\xad|\xe2\x80[\x8b\x8c\x8d]|\xe2\x81\xa0|\xef\xbb\xbf")
_SOFT_HYPHEN_REF = re.compile(rb"&(?:shy|#173|#x0*ad);")
_LINE_BREAK_HYPHEN = re.compile(rb"-[ \t]*\r?\n[ \t]*(?=[a-z])")


def _cut_invisible_in_word(text: bytes) -> bytes:
    if not text.isascii():
        text = _INVISIBLE_NON_ASCII.sub(_MARK, text)
    if b"&" in text:
        text = _SOFT_HYPHEN_REF.sub(_MARK, text)
    if b"\n" in text:
        text = _LINE_BREAK_HYPHEN.sub(_after_a_letter, text)
    return text


def _after_a_letter(match: re.Match[bytes]) -> bytes:
    """A hyphen at a line's end joins a word only after a letter ("Gal-\ndi", not "2025 -\ndi")."""
    before = match.string[match.start() - 1 : match.start()]
    return _MARK if before.isalpha() and before.islower() else match.group(0)


def _marked(body: bytes, content_type: str | None) -> bytes:
    """The visible page lower-cased, references decoded, each tag replaced by the mark."""
    if not body.isascii():
        body = _ascii_compatible(body, content_type)
    text = _TAG.sub(_MARK, _BLOCK_TAG.sub(b" ", _cut_invisible_in_word(_visible(body.lower()))))
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


# The second test, on the few records the first lets through: the matcher itself on the
# page's visible text. Extraction keeps a subset of the text nodes, joined as the markup
# joins them: inline elements run on, block elements break the line. The page's text is
# built both ways (every tag a space; only inline tags run on), so a name the extractor's
# text holds is in one of them, in the same case and with the same neighbours. Where the
# matcher finds no candidate at all, accepted or not, in either, extraction would find
# none: "rain" and "move" in lower case pass the first test and stop here.
_INVISIBLE_STR = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_STR = re.compile(r"<[A-Za-z/!?][^>]*>")
_INLINE = frozenset(
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark q s samp small span strike strong sub sup"
    " time tt u var wbr".split()
)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


def _inline_or_space(match: re.Match[str]) -> str:
    name = _TAG_NAME.match(match.group(0))
    return "" if name and name.group(1).lower() in _INLINE else " "


def matcher_finds_in_page(matcher: Matcher, html_text: str) -> bool:
    """Does the matcher find any candidate in the page's visible text, read either way?"""
    visible = _INVISIBLE_STR.sub(" ", html_text)
    for text in (_TAG_STR.sub(" ", visible), _TAG_STR.sub(_inline_or_space, visible)):
        if matcher.match(html.unescape(text)):
            return True
    return False
