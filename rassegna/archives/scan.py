"""Scan one WARC file: every response record through the prefilter, candidates through
extraction and the matcher, with each kept article's provenance (file, offset, length).

This runs on Dask workers, one call per file; it reads and computes only. The single
writer stores what it returns (warehouse.load.store_archive_file), all of a file in one
transaction: a worker that dies mid-file has stored nothing, and the file is redone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timezone
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

from rassegna.archives.ccnews import WarcFile, check_complete, stream_file
from rassegna.archives.prefilter import Prefilter, matcher_finds_in_page
from rassegna.config import Watchlist
from rassegna.extraction.article import decode_html
from rassegna.matching.matcher import Matcher
from rassegna.pipeline import Processed, process_page

LISTED_BY = "cc-news"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Common Crawl truncates payloads at 1 MiB; a bigger record is not a news page.
MAX_BODY_BYTES = 5 * 1024 * 1024


# Dask configuration for the processes that scan. A worker samples its own stack every 10 ms
# for the dashboard's profile; on this pure-Python work that sampling holds the GIL often
# enough to cost ~10 % of a worker's rate and to cut 2 workers' gain over 1 from ~1.7x to
# ~1.5x (benchmarks/archive_scan.py). A scan needs no profile.
def worker_config() -> dict:
    """The Dask configuration a local cluster's worker processes start with: this process's,
    with the profile turned off. Handed whole: passing only the change through LocalCluster's
    `config=` failed to start the workers here (KeyError 'admin' in the worker process,
    distributed 2026.8)."""
    import dask.config

    return dask.config.merge(dask.config.config, {"distributed": {"worker": {"profile": {"enabled": False}}}})


@dataclass(frozen=True)
class ScanFilters:
    languages: tuple[str, ...] = ("it", "en")  # empty: every language
    keep_domains: tuple[str, ...] = ()  # non-empty: only these outlets (and their subdomains)
    drop_domains: tuple[str, ...] = ()

    def host_wanted(self, host: str) -> bool:
        def under(domains: tuple[str, ...]) -> bool:
            return any(host == d or host.endswith("." + d) for d in domains)

        return (not self.keep_domains or under(self.keep_domains)) and not under(self.drop_domains)

    def language_wanted(self, language: str | None) -> bool:
        # A page that declares no language and is too short to guess is kept: losing a
        # mention costs more than matching one page too many.
        return not self.languages or language is None or language in self.languages


@dataclass(frozen=True)
class Record:
    """One HTTP response record of a WARC file."""

    offset: int  # of the record's gzip member in the file
    url: str
    captured_at: str  # WARC-Date
    status: int
    content_type: str
    body: bytes


@dataclass
class Found:
    """An article the matcher found candidates in, and where its record lies."""

    processed: Processed
    warc_file: str
    offset: int
    length: int
    captured_at: str


@dataclass
class FileScan:
    path: str
    records: int = 0  # response records
    candidates: int = 0  # records the prefilter let through: extracted
    extracted: int = 0  # candidates that held an article in a wanted language
    mentions: int = 0  # accepted mentions in them
    bytes_read: int = 0  # compressed
    seconds: float = 0.0
    found: list[Found] = field(default_factory=list)


def read_records(stream: BinaryIO, reader: str = "fastwarc") -> Iterator[tuple[int, Record | None]]:
    """(offset, record) for every record of the stream; None for records that are not HTTP responses.

    Every record is yielded, so a record's length is the distance to the next one.
    """
    if reader == "fastwarc":
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        for rec in ArchiveIterator(stream, fsspec_args=False):
            if (rec.record_type != WarcRecordType.response or rec.http_headers is None
                    or rec.content_length > MAX_BODY_BYTES):
                yield rec.stream_pos, None
                continue
            yield rec.stream_pos, Record(
                rec.stream_pos, rec.headers.get("WARC-Target-URI") or "", rec.headers.get("WARC-Date") or "",
                rec.http_headers.status_code or 0, rec.http_headers.get("Content-Type") or "", rec.reader.read(),
            )
    elif reader == "warcio":
        from warcio.archiveiterator import ArchiveIterator as WarcioIterator

        records = WarcioIterator(stream)
        for rec in records:
            offset = records.get_record_offset()
            if rec.rec_type != "response" or rec.http_headers is None:
                yield offset, None
                continue
            yield offset, Record(
                offset, rec.rec_headers.get_header("WARC-Target-URI") or "", rec.rec_headers.get_header("WARC-Date") or "",
                int(rec.http_headers.get_statuscode() or 0), rec.http_headers.get_header("Content-Type") or "",
                rec.content_stream().read(),
            )
    else:
        raise ValueError(f"unknown WARC reader {reader!r} (fastwarc or warcio)")


def _is_html(record: Record) -> bool:
    if record.content_type:
        return record.content_type.lower().lstrip().startswith(_HTML_TYPES)
    # No Content-Type at all (some servers send none): what the body starts with decides.
    return record.body[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))


def outlet(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


_cached: dict[str, tuple[Matcher, Prefilter]] = {}


def matcher_and_prefilter(watchlist: Watchlist) -> tuple[Matcher, Prefilter]:
    """Built once per worker process and watchlist version: a file is thousands of records."""
    key = watchlist.version or str(hash(watchlist.model_dump_json()))
    if key not in _cached:
        _cached.clear()
        _cached[key] = (Matcher(watchlist), Prefilter(watchlist))
    return _cached[key]


def scan_stream(stream: BinaryIO, path: str, watchlist: Watchlist, filters: ScanFilters,
                reader: str = "fastwarc", prefilter: bool = True, archive_url: str = "") -> FileScan:
    """Scan a WARC stream. `prefilter=False` extracts every record (the benchmark's baseline,
    and the tests' check that the prefilter loses nothing)."""
    matcher, names = matcher_and_prefilter(watchlist)
    result = FileScan(path)
    started = time.monotonic()
    offsets: list[int] = []
    for offset, record in read_records(stream, reader):
        offsets.append(offset)
        if record is None:
            continue
        result.records += 1
        if record.status != 200 or not _is_html(record):
            continue
        if not filters.host_wanted(outlet(record.url)):
            continue
        if prefilter and not names.may_mention(record.body, record.content_type):
            continue
        html, encoding = decode_html(record.body, record.content_type)
        if prefilter and not matcher_finds_in_page(matcher, html):
            continue
        result.candidates += 1
        found = _extract_and_match(record, html, encoding, matcher, filters, urljoin(archive_url, path))
        if found is not None:
            result.extracted += 1
            result.mentions += sum(c.accepted for c in found.candidates)
            if found.candidates:
                result.found.append(Found(found, path, record.offset, 0, record.captured_at))
    end = getattr(stream, "bytes_read", None)
    ends = dict(zip(offsets, offsets[1:] + [end if end is not None else -1]))
    for item in result.found:
        item.length = ends[item.offset] - item.offset if ends[item.offset] >= 0 else 0
    result.bytes_read = end or 0
    result.seconds = time.monotonic() - started
    return result


def _extract_and_match(record: Record, html: str, encoding: str, matcher: Matcher, filters: ScanFilters,
                       warc_url: str) -> Processed | None:
    # The text is the archive's copy: the article says so, as a backfill's Wayback copy does.
    processed = process_page(
        # fetched_at is when the warehouse got it (the digest's window reads it); the capture
        # time is archived_at, and dates written relative ("3 ore fa") count back from it.
        {"source": outlet(record.url), "url": record.url, "listed_by": LISTED_BY,
         "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
         "html": html, "encoding": encoding, "archive_url": warc_url, "archived_at": record.captured_at},
        matcher,
    )
    if processed.article is None or not filters.language_wanted(processed.article.language):
        return None
    return processed


def scan_file(archive_url: str, warc: WarcFile, watchlist: Watchlist, filters: ScanFilters,
              allow_private: bool = False) -> FileScan:
    """Stream one file of the archive over HTTP and scan it."""
    with stream_file(archive_url, warc.path, allow_private) as stream:
        scan = scan_stream(stream, warc.path, watchlist, filters, archive_url=archive_url)
        check_complete(stream, urljoin(archive_url, warc.path))
    return scan
