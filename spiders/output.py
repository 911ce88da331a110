"""Read what a crawl wrote (see spiders.pipelines.write_jsonl): the crawl's interface to the flow."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
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


def follow_pages(out_dir: Path, running: Callable[[], bool], poll: float = 0.2) -> Iterator[dict[str, Any]]:
    """Fetched pages as the crawl writes them, until it has ended and every line is read.

    Lets extraction start while the crawl is still fetching; a partial last
    line is left for the next pass.
    """
    offsets: dict[Path, int] = {}
    while True:
        crawl_alive = running()  # sampled before reading, so nothing written after is missed
        found = False
        for path in sorted(Path(out_dir).glob("*.jsonl")):
            with path.open("rb") as handle:
                handle.seek(offsets.get(path, 0))
                for line in handle:
                    if not line.endswith(b"\n"):
                        break
                    offsets[path] = offsets.get(path, 0) + len(line)
                    record = json.loads(line)
                    if record["outcome"] == "page":
                        found = True
                        yield record
        if not crawl_alive:
            return
        if not found:
            time.sleep(poll)


def iter_events(out_dir: Path) -> Iterator[dict[str, Any]]:
    """URLs skipped by rule or failed by error, for the run's audit trail."""
    for r in _records(out_dir):
        if r["outcome"] in ("skipped", "failed"):
            yield {"source": r["source"], "url": r["url"], "outcome": r["outcome"], "reason": r["reason"],
                   "detail": r.get("detail"), "at": r.get("fetched_at") or None}


def iter_listings(out_dir: Path) -> Iterator[dict[str, str]]:
    """(source, channel, query, url) of every URL a source listed, fetched or not.

    A source whose crawl was killed wrote no listings file: its fetched pages
    still say which channel listed them.
    """
    written = set()
    for path in sorted(Path(out_dir).glob("*.listed.json")):
        source = path.name[: -len(".listed.json")]
        written.add(source)
        for line in path.read_text("utf-8").splitlines():
            yield {"source": source, **json.loads(line)}
    for r in _records(out_dir):
        if r["source"] not in written and r["outcome"] == "page" and not r.get("entry"):
            yield {"source": r["source"], "channel": r["listed_by"], "query": r.get("query") or "", "url": r["url"]}


def write_crawl_inputs(out_dir: Path, known: Iterable[str], validators: dict[str, dict[str, Any]]) -> None:
    """What the crawl should know before it starts (read by spiders/base.py)."""
    from spiders.crawl import KNOWN_URLS, VALIDATORS

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / KNOWN_URLS).write_text("\n".join(known), "utf-8")
    (out_dir / VALIDATORS).write_text(json.dumps(validators), "utf-8")


def new_validators(tallies: dict[str, dict[str, Any]], urls: dict[str, str]) -> dict[str, dict[str, Any]]:
    """source -> {url, etag, last_modified} for sources whose feed or sitemap sent validators."""
    found = {}
    for source, tally in tallies.items():
        got = tally.get("validators") or {}
        if source in urls and (got.get("etag") or got.get("last_modified")):
            found[source] = {"url": urls[source], **got}
    return found


def read_outcomes(out_dir: Path) -> dict[str, dict[str, Any]]:
    """source name -> its tally; a source missing here never finished its crawl."""
    tallies = (json.loads(p.read_text("utf-8")) for p in sorted(Path(out_dir).glob("*.outcome.json")))
    return {tally["source"]: tally for tally in tallies}
