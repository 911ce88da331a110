"""Read what a crawl wrote (see spiders.pipelines.write_jsonl): the crawl's interface to the flow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _records(out_dir: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(Path(out_dir).glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                # A crawl killed mid-write leaves a partial last line: it was never a record.
                if line.endswith("\n"):
                    yield json.loads(line)


def iter_pages(out_dir: Path) -> Iterator[dict[str, Any]]:
    """Fetched HTML pages, source by source, in fetch order."""
    return (r for r in _records(out_dir) if r["outcome"] == "page")


def iter_events(out_dir: Path) -> Iterator[dict[str, Any]]:
    """URLs skipped by rule or failed by error, for the run's audit trail."""
    for r in _records(out_dir):
        if r["outcome"] in ("skipped", "failed"):
            yield {"source": r["source"], "url": r["url"], "outcome": r["outcome"], "reason": r["reason"],
                   "detail": r.get("detail"), "at": r.get("fetched_at") or None}


def read_outcomes(out_dir: Path) -> dict[str, dict[str, Any]]:
    """source name -> its tally; a source missing here never finished its crawl."""
    tallies = (json.loads(p.read_text("utf-8")) for p in sorted(Path(out_dir).glob("*.outcome.json")))
    return {tally["source"]: tally for tally in tallies}
