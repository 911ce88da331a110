"""A sharded run's hand-over between a shard and its parent: plain files in a shared folder.

A shard crawls, extracts and matches its sources on whichever worker picked it
up, and never opens the warehouse: the parent stays the single writer. So a
shard leaves its results as files in the folder the parent gave it (beside the
database, or on a volume every worker mounts): the crawl's own files, one
pickle per batch of processed pages, and last a `shard.json` saying it
finished. Every file is written under a temporary name and renamed, so the
parent never reads half a batch. Pickle, because the records are this
program's own dataclasses going to the same program; the folder is trusted
(written by our shards only), as it already is for the crawl's files.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rassegna.config import Source
from rassegna.files import write_atomically
from rassegna.pipeline import Processed

DONE = "shard.json"
_BATCH_GLOB = "processed-*.pkl"


def split_sources(sources: Sequence[Source], shards: int) -> list[list[str]]:
    """Source names dealt into at most `shards` non-empty batches of near-equal size.

    Dealt by kind first, so every batch gets its share of the slow site crawls
    rather than one batch getting all of them.
    """
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards}")
    ordered = sorted(sources, key=lambda s: (s.kind, s.name))
    batches = [[s.name for s in ordered[i::shards]] for i in range(shards)]
    return [b for b in batches if b]


def write_batch(out_dir: Path, number: int, batch: list[Processed]) -> Path:
    path = Path(out_dir) / f"processed-{number:06d}.pkl"
    write_atomically(path, pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def read_batches(out_dir: Path) -> Iterator[list[Processed]]:
    """The shard's processed batches in the order it wrote them."""
    for path in sorted(Path(out_dir).glob(_BATCH_GLOB)):
        with path.open("rb") as handle:
            yield pickle.load(handle)


def write_done(out_dir: Path, report: dict[str, Any]) -> None:
    """The last file a shard writes: its crawl error (if any) and where it ran."""
    write_atomically(Path(out_dir) / DONE, json.dumps(report).encode("utf-8"))


def read_done(out_dir: Path) -> dict[str, Any] | None:
    """The shard's report, or None if it never finished."""
    path = Path(out_dir) / DONE
    if not path.exists():
        return None
    return json.loads(path.read_text("utf-8"))
