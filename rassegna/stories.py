"""Near-duplicate stories: one press release republished, lightly edited, by many outlets.

Outlets rewrite the headline, add an intro sentence, drop a paragraph, append
their boilerplate ("Leggi anche...") and reorder or reword quotes. Analysts
want those copies counted as one *story*, while an independent article on the
same topic (another company on the same mission, a report, an interview) stays
its own story.

Why MinHash and not a 64-bit SimHash
------------------------------------
SimHash was tried first (64 bits over 3- and 4-word shingles, blake2b). On the
test texts (tests/test_stories.py: a release, four republications, three
independent articles on the same mission) the measured Hamming distances were
9-21 bits between copies of the release and 24-43 bits between different
articles (3-word shingles; 11-21 against 28-43 with 4-word shingles). A light
edit (a dropped paragraph plus a new intro is already ~30% of the shingles)
moves SimHash about as far as a 64-bit sketch can resolve: the usual <=3-bit
threshold (where 4 bands of 16 bits find every pair by pigeonhole) caught *none*
of the copies, and the gap between 21 and 24 is too thin to trust.
The shingle Jaccard similarity of the same pairs is 0.49-0.76 for copies and
0.01-0.04 for different articles, so this module estimates that instead, with a
MinHash signature of SLOTS values, and finds candidates with LSH bands. On the
same texts the signatures differ in 15-27 of 64 slots between copies and in
56-64 between different articles (THRESHOLD is 40). The signature is a
one-permutation MinHash (one hash per shingle, binned into the slots, empty
slots densified): 1.8 ms per 385-word article, against 14 ms for 64 separate
hash functions, which measured 12-27 and 63-64 on the same pairs.

Scale (benchmarks/stories_scale.py, 100,000 stored signatures, 50 new, same
run): comparing every new article with every stored one in Python costs 1.1 s
per new article; an indexed equality join on band keys in DuckDB, then this
module on the candidates, 36 ms (31x faster), with the same stories assigned.
Band keys cost 0.14 ms per article.

Definitions (the warehouse and `assign_stories` use exactly these):
- fingerprint: SLOTS minimum hashes of the text's 3-word shingles (one per slot), each in
  [0, 2**32), so a signature fits DuckDB `UINTEGER[64]` (or `BIGINT[]`).
- distance: the Hamming distance between two signatures, counted in slots
  (how many of the SLOTS minimums differ); 1 - distance/SLOTS estimates Jaccard.
- near-duplicate: distance <= THRESHOLD (at least 24 equal slots, estimated
  Jaccard >= 0.375) *and* at least one shared band key (see `candidate_bands`).
  Requiring the band makes an indexed equality join on band keys an exact
  prefilter, not an approximation: the database finds every pair this module
  would accept.

For the warehouse: store the signature (NULL when `fingerprint` returns None)
and one (article_id, band_key BIGINT) row per `candidate_bands` key, indexed on
band_key; for a batch, join the new articles' keys to that table and pass the
matching articles (signature, story id) as `existing`. Passing the whole table
also works but indexes all its bands on every call (33 s at 100,000 articles).

A fingerprint depends on the normalisation, the shingle size and the hash
seeds; FINGERPRINT_VERSION changes whenever any of them does, so stored
signatures of an older version must be recomputed, not compared.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Iterable, Sequence

from rassegna.matching.textnorm import fold_string

FINGERPRINT_VERSION = 1

SHINGLE_WORDS = 3  # 3 and 4 measured alike (see above); 3 tolerates reworded phrases better
SLOTS = 64
BAND_ROWS = 2  # slots per band
BANDS = SLOTS // BAND_ROWS
# At most 40 of 64 slots may differ: estimated Jaccard >= 0.375. Copies measured 27 and
# fewer, different articles 56 and more; the threshold sits nearer the copies because a
# false story (two articles counted as one) is worse than a copy counted twice. Text
# assembled from a small vocabulary (the benchmark's first generator) measured 21-33:
# texts that repetitive do group.
THRESHOLD = 40
# Below this many characters of normalised text an article (a brief, a caption, a
# paywall teaser) has too few shingles to judge: it gets a story of its own.
MIN_CHARS = 300

_DENSIFY_STEP = 0x9E3779B1  # an odd constant: borrowed values stay distinct per distance
_SLOT_MASK = (1 << 32) - 1
_WORD = re.compile(r"\w+")
# Combining marks left by NFKD (accents), removed in one regex pass: a per-character
# unicodedata.combining() test was half the fingerprint's cost.
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_BAND = struct.Struct(">H" + "I" * BAND_ROWS)  # band number, then its slot values


def _seeded(label: str) -> int:
    return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=8).digest(), "big")



Fingerprint = tuple[int, ...]


def normalise(text: str) -> list[str]:
    """Words of `text`, casefolded, without accents or punctuation; numbers kept."""
    folded = unicodedata.normalize("NFKD", fold_string(text).casefold())
    return _WORD.findall(_COMBINING.sub("", folded))


def _shingle_hashes(words: Sequence[str]) -> set[int]:
    if len(words) < SHINGLE_WORDS:
        return {_seeded(" ".join(words))} if words else set()
    return {
        _seeded(" ".join(words[i : i + SHINGLE_WORDS])) for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def judgeable(text: str) -> bool:
    """Whether `text` is long enough for its fingerprint to mean anything."""
    return len(" ".join(normalise(text))) >= MIN_CHARS


def fingerprint(text: str) -> Fingerprint | None:
    """The MinHash signature of `text`: SLOTS ints in [0, 2**32); None when too short to judge.

    None is stored as NULL: such an article is never matched and gets its own story.
    """
    words = normalise(text)
    if len(" ".join(words)) < MIN_CHARS:
        return None
    # One-permutation MinHash: each shingle's one 64-bit hash picks a slot (its low bits)
    # and competes for that slot's minimum (its high bits). One pass over the shingles
    # instead of one per slot: 64 universal hashes per shingle cost 14 ms an article,
    # three times the extraction itself.
    slots: list[int | None] = [None] * SLOTS
    for h in _shingle_hashes(words):
        slot, value = h % SLOTS, (h >> 32) & _SLOT_MASK
        current = slots[slot]
        if current is None or value < current:
            slots[slot] = value
    return _densified(slots)


def _densified(slots: list[int | None]) -> Fingerprint:
    """Fill empty slots from the next filled one to the right (circularly), offset by the
    distance, so two texts whose shingles fill the same slots still agree where they agree
    (rotation densification, Shrivastava and Li 2014)."""
    filled = [i for i, v in enumerate(slots) if v is not None]
    result = []
    for i, value in enumerate(slots):
        if value is None:
            j = next((k for k in filled if k > i), filled[0] + SLOTS)
            value = (slots[j % SLOTS] + (j - i) * _DENSIFY_STEP) & _SLOT_MASK  # type: ignore[operator]
        result.append(value)
    return tuple(result)


def _check(fp: Sequence[int], what: str) -> None:
    if len(fp) != SLOTS:
        raise ValueError(f"{what}: a fingerprint has {SLOTS} slots, got {len(fp)} (version {FINGERPRINT_VERSION})")


def distance(a: Sequence[int], b: Sequence[int]) -> int:
    """Hamming distance in slots: how many of the SLOTS minimum hashes differ."""
    _check(a, "distance")
    _check(b, "distance")
    return sum(x != y for x, y in zip(a, b, strict=True))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return 1 - distance(a, b) / SLOTS


def candidate_bands(fp: Sequence[int] | None) -> list[int]:
    """LSH band keys of a signature: BANDS signed 64-bit ints, one per band of BAND_ROWS slots.

    Two texts are compared only if they share a key. The key hashes the band's
    number with its slot values, so one BIGINT column suffices: store
    (article_id, band_key) rows, index band_key, and find the candidates of a
    new article with an equality join. Two slots per band because a pair with
    Jaccard J shares some band with probability 1 - (1 - J**2)**32: 0.99 at the
    threshold's 0.375, 0.9995 at 0.46 (the least similar copy measured), 0.08 at
    0.05 (those candidates are then rejected by distance). Signed so that the key
    fits DuckDB BIGINT.
    """
    if fp is None:
        return []
    _check(fp, "candidate_bands")
    keys = []
    for band in range(BANDS):
        packed = _BAND.pack(band, *fp[band * BAND_ROWS : (band + 1) * BAND_ROWS])
        keys.append(int.from_bytes(hashlib.blake2b(packed, digest_size=8).digest(), "big", signed=True))
    return keys


def is_near(a: Sequence[int] | None, b: Sequence[int] | None) -> bool:
    """The near-duplicate relation: within THRESHOLD and sharing a band."""
    if a is None or b is None:
        return False
    return distance(a, b) <= THRESHOLD and not set(candidate_bands(a)).isdisjoint(candidate_bands(b))


class _Groups:
    """Union-find over article ids; a group's representative is its smallest id."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _band_index(items: Iterable[tuple[str, Sequence[int] | None]]) -> dict[int, list[str]]:
    index: dict[int, list[str]] = {}
    for article_id, fp in items:
        for key in candidate_bands(fp):
            index.setdefault(key, []).append(article_id)
    return index


def assign_stories(
    new: list[tuple[str, Fingerprint | None]],
    existing: list[tuple[str, Fingerprint | None, str]],
) -> dict[str, str]:
    """Story id for every new article.

    - a new article near an existing one joins the story of its nearest existing
      near-duplicate (ties: the smaller existing article id);
    - otherwise it is grouped with its near-duplicates among the new articles,
      transitively; a group takes the story of its members' nearest existing
      match if any member has one, else a new story whose id is the smallest
      article id in the group;
    - a None fingerprint (text too short to judge) is its own story, its id the article's.

    The result does not depend on the order of either list. `existing` may be
    the whole table or only the candidates an equality join on band keys found:
    the answer is the same (see the module docstring).
    """
    fps: dict[str, Fingerprint | None] = {}
    for article_id, fp in new:
        if article_id in fps:
            raise ValueError(f"assign_stories: article {article_id!r} appears twice among the new articles")
        if fp is not None:
            _check(fp, f"assign_stories: new article {article_id!r}")
        fps[article_id] = fp
    stored: dict[str, tuple[Fingerprint, str]] = {}
    for article_id, fp, story_id in existing:
        if article_id in fps:
            raise ValueError(f"assign_stories: article {article_id!r} is both new and already assigned a story")
        if fp is not None:
            _check(fp, f"assign_stories: existing article {article_id!r}")
            stored[article_id] = (fp, story_id)

    judged = {i: fp for i, fp in fps.items() if fp is not None}
    existing_index = _band_index((i, fp) for i, (fp, _) in stored.items())
    best: dict[str, tuple[int, str]] = {}  # new id -> (distance, existing id) of its nearest existing match
    for article_id, fp in judged.items():
        candidates = {e for key in candidate_bands(fp) for e in existing_index.get(key, ())}
        scored = [(distance(fp, stored[e][0]), e) for e in candidates]
        matches = [s for s in scored if s[0] <= THRESHOLD]
        if matches:
            best[article_id] = min(matches)

    groups = _Groups(fps)
    # Only pairs that share a band can be near (by definition), so only those are compared.
    for ids in _band_index(judged.items()).values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if groups.find(a) != groups.find(b) and distance(judged[a], judged[b]) <= THRESHOLD:
                    groups.union(a, b)

    group_match: dict[str, tuple[int, str]] = {}
    for article_id, match in best.items():
        root = groups.find(article_id)
        if root not in group_match or match < group_match[root]:
            group_match[root] = match

    result = {}
    for article_id in fps:
        match = best.get(article_id) or group_match.get(groups.find(article_id))
        result[article_id] = stored[match[1]][1] if match else groups.find(article_id)
    return result
