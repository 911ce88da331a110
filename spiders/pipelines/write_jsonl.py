"""Write every item, and each source's tally, to the run's output folder.

The crawl runs in its own process; these files are its whole answer to the
flow: `<source>.jsonl` (one PageItem per line, flushed as it goes, so a killed
crawl keeps what it fetched), and, written last by rename so each is either
complete or absent, `<source>.listed.json` (every URL the source listed, one
JSON object per line, with its channel) and `<source>.outcome.json` (the tally).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import IO

from scrapy import Spider
from scrapy.crawler import Crawler

from rassegna.files import write_atomically
from spiders.items import PageItem


class WriteJsonLinesPipeline:
    def __init__(self, crawler: Crawler, out_dir: Path) -> None:
        self.crawler = crawler
        self.out_dir = out_dir
        self.file: IO[str] | None = None
        self.tally: Counter[str] = Counter()
        self.entry_error: str | None = None
        self.entries = Counter[str]()
        self.entry_failures = Counter[str]()  # reason -> entry requests failed for it (a backfill retries some)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WriteJsonLinesPipeline:
        return cls(crawler, Path(crawler.settings["RASSEGNA_OUTPUT_DIR"]))

    def open_spider(self, spider: Spider) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.file = (self.out_dir / f"{spider.name}.jsonl").open("w", encoding="utf-8")

    def process_item(self, item: PageItem) -> PageItem:
        if item.outcome != "listing":
            if self.file is None:
                raise RuntimeError("WriteJsonLinesPipeline got an item before open_spider")
            self.file.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
            self.file.flush()
        # Counted only once written: a failed write (disk full) must not count as fetched.
        if item.entry:
            self.entries["ok" if item.outcome in ("page", "listing") else "failed"] += 1
            if item.outcome not in ("page", "listing"):
                self.entry_failures[item.reason or "unknown"] += 1
        if item.outcome == "page":
            self.tally["fetched"] += 1
        elif item.outcome == "listing":
            self.tally["listings"] += 1
        else:
            self.tally[f"{item.outcome}:{item.reason}"] += 1
            if item.entry:
                self.entry_error = f"{item.reason}: {item.detail or ''}".strip()
        return item

    def _entry_error(self) -> str | None:
        """The source failed when none of its entry requests answered.

        Feeds, sitemaps and sites have one entry; a discovery source has one per
        search, and one search refused among several is a gap, not a dead source.
        """
        if self.entries["ok"] or self.entry_error is None:
            return None
        if self.entries["failed"] > 1:
            return f"{self.entry_error} (all {self.entries['failed']} entry requests failed; the last one shown)"
        return self.entry_error

    def close_spider(self, spider: Spider) -> None:
        if self.file is not None:
            self.file.close()
        self._write_listings(spider)
        stats = self.crawler.stats
        outcome = {
            "source": spider.name,
            "listed": stats.get_value("rassegna/listed", 0),
            "capped": stats.get_value("rassegna/capped", 0),
            "known": stats.get_value("rassegna/known", 0),
            "not_modified": bool(stats.get_value("rassegna/not_modified")),
            "validators": {
                "etag": stats.get_value("rassegna/etag"),
                "last_modified": stats.get_value("rassegna/last_modified"),
            },
            "fetched": self.tally.pop("fetched", 0),
            "listings": self.tally.pop("listings", 0),
            "skipped": {k.split(":", 1)[1]: v for k, v in self.tally.items() if k.startswith("skipped:")},
            "failed": {k.split(":", 1)[1]: v for k, v in self.tally.items() if k.startswith("failed:")},
            "entry_error": self._entry_error(),
            "entry_failures": dict(self.entry_failures),
            # Backfill searches still answered with the engine's cap at a single day: some may be cut off.
            "windows_capped": stats.get_value("rassegna/window_capped", 0),
            # Exceptions in our callbacks or pipelines are only logged by Scrapy; count them here.
            "errors": stats.get_value("spider_exceptions/count", 0) + stats.get_value("log_count/ERROR", 0),
            "finish_reason": stats.get_value("finish_reason"),
        }
        write_atomically(self.out_dir / f"{spider.name}.outcome.json", json.dumps(outcome, indent=1).encode("utf-8"))

    def _write_listings(self, spider: Spider) -> None:
        listings = getattr(spider, "listings", [])
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in listings)
        write_atomically(self.out_dir / f"{spider.name}.listed.json", lines.encode("utf-8"))

