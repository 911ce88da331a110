"""Write runs, articles and mentions: idempotent, in short transactions.

An article's key is its canonical URL and a mention's is (article, entity,
start offset), so a batch loaded twice (a retried task, a re-run after a
crash) changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from importlib import resources

import duckdb

from rassegna.config import Watchlist
from rassegna.matching.evidence import MATCHER_VERSION
from rassegna.matching.matcher import Candidate
from rassegna import stories
from rassegna.pipeline import Processed
from rassegna.matching.relevance import Relevance


def article_id(canonical_url: str) -> str:
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# Column order and types of the bulk-loaded tables, as in warehouse/migrations.
ARTICLE_COLUMNS = {
    "article_id": "VARCHAR", "url": "VARCHAR", "source": "VARCHAR", "fetched_url": "VARCHAR",
    "title": "VARCHAR", "author": "VARCHAR", "published_at": "TIMESTAMP", "date_precision": "VARCHAR",
    "language": "VARCHAR", "site_name": "VARCHAR", "description": "VARCHAR", "listed_by": "VARCHAR",
    "listed_date": "VARCHAR", "encoding": "VARCHAR", "text": "VARCHAR", "fetched_at": "TIMESTAMP",
    "first_run_id": "VARCHAR", "date_signal": "VARCHAR", "date_candidates": "JSON", "date_conflict": "BOOLEAN",
    "teaser": "BOOLEAN", "fingerprint": "UINTEGER[]", "story_id": "VARCHAR",
    "archive_url": "VARCHAR", "archived_at": "TIMESTAMP",
}
MENTION_COLUMNS = {
    "article_id": "VARCHAR", "entity_id": "VARCHAR", "start_char": "INTEGER", "end_char": "INTEGER",
    "matched_text": "VARCHAR", "alias": "VARCHAR", "snippet": "VARCHAR", "accepted": "BOOLEAN",
    "rule": "VARCHAR", "evidence": "VARCHAR", "confidence": "DOUBLE", "watchlist_version": "VARCHAR",
    "run_id": "VARCHAR", "score": "DOUBLE", "evidence_for": "VARCHAR", "evidence_against": "VARCHAR",
    "matcher_version": "VARCHAR",
}
RELEVANCE_COLUMNS = {
    "article_id": "VARCHAR", "entity_id": "VARCHAR", "strength": "VARCHAR", "mentions": "INTEGER",
    "in_title": "BOOLEAN", "watchlist_version": "VARCHAR",
}
URL_COLUMNS = {"url": "VARCHAR", "article_id": "VARCHAR"}
DISCOVERY_COLUMNS = {
    "source": "VARCHAR", "channel": "VARCHAR", "query": "VARCHAR", "url": "VARCHAR",
    "first_run_id": "VARCHAR", "last_run_id": "VARCHAR", "outlet": "VARCHAR",
}
PAGE_EVENT_COLUMNS = {
    "run_id": "VARCHAR", "source": "VARCHAR", "url": "VARCHAR", "outcome": "VARCHAR",
    "reason": "VARCHAR", "detail": "VARCHAR", "happened_at": "TIMESTAMP",
}


def bulk_insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: dict[str, str],
    rows: Iterable[Sequence[Any]],
    skip_existing: bool = True,
) -> int:
    """Insert many rows at once through a temporary JSON-lines file.

    DuckDB's executemany runs one statement per row (a few hundred rows/s with
    long texts); read_json loads the whole batch in one statement. Table and
    column names come from this module's constants, never from data.
    """
    names = list(columns)
    fd, path = tempfile.mkstemp(prefix="rassegna-", suffix=".jsonl")
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(dict(zip(names, row)), ensure_ascii=False, default=str) + "\n")
                count += 1
        if count:
            spec = "{" + ", ".join(f"'{n}': '{t}'" for n, t in columns.items()) + "}"
            cols = ", ".join(names)
            con.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM read_json(?, format = 'newline_delimited',"
                f" columns = {spec})" + (" ON CONFLICT DO NOTHING" if skip_existing else ""),
                [path],
            )
    finally:
        os.unlink(path)
    return count


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection, current_run_id: str, archive_too: bool = False) -> int:
    """Runs still 'running' when a new run holds the writer lock were killed: say so.

    The current run is spared: a retried start must not mark itself interrupted. An archive
    scan holds the lock one file at a time, so other runs store between its files while it
    is alive: only the next archive scan (`archive_too`) may call one interrupted.
    """
    with transaction(con):
        rows = con.execute(
            "UPDATE run SET status = 'failed', finished_at = coalesce(finished_at, ?),"
            " error = 'interrupted: the run process ended before finishing' "
            "WHERE status = 'running' AND run_id <> ? AND (kind IS DISTINCT FROM 'archive' OR ?) RETURNING run_id",
            [utcnow(), current_run_id, archive_too],
        ).fetchall()
    return len(rows)


def start_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    flow_run_id: str | None,
    sources_file: str,
    watchlist_file: str,
    watchlist: Watchlist,
    sources_total: int,
    kind: str = "monitor",
    window: tuple[date, date] | None = None,
    backfill_id: str | None = None,
) -> None:
    """`kind` 'backfill': one slice of a backfill, `window` its (since, until) days."""
    since, until = window or (None, None)
    with transaction(con):
        con.execute(
            "INSERT INTO run (run_id, flow_run_id, started_at, status, sources_file, watchlist_file,"
            " watchlist_version, sources_total, matcher_version, kind, window_since, window_until, backfill_id)"
            " VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
            [run_id, flow_run_id, utcnow(), sources_file, watchlist_file, watchlist.version, sources_total,
             MATCHER_VERSION, kind, since, until, backfill_id],
        )
        sync_entities(con, watchlist)


def sync_entities(con: duckdb.DuckDBPyConnection, watchlist: Watchlist) -> None:
    rows = [(e.id, e.name, e.kind, e.description, watchlist.version) for e in watchlist.entities]
    con.executemany(
        "INSERT INTO entity VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity_id) DO UPDATE SET"
        " entity_name = excluded.entity_name, kind = excluded.kind,"
        " description = excluded.description, watchlist_version = excluded.watchlist_version",
        rows,
    )


@dataclass
class BatchResult:
    articles_new: int = 0
    mentions_new: int = 0
    # url -> (source, accepted mentions): lets a run count an article once however many
    # of its batches report it (see Funnel.add_loaded).
    new_articles: dict[str, tuple[str, int]] = field(default_factory=dict)
    duplicates_by_source: dict[str, int] = field(default_factory=dict)  # pages of an article stored already

    def count_duplicate(self, source: str) -> None:
        self.duplicates_by_source[source] = self.duplicates_by_source.get(source, 0) + 1


def load_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, watchlist_version: str, batch: Sequence[Processed]
) -> BatchResult:
    """Store the batch's new articles and their mention candidates in one transaction."""
    with transaction(con):
        return store_batch(con, run_id, watchlist_version, batch)


def store_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, watchlist_version: str, batch: Sequence[Processed],
    retried_batches: bool = True,
) -> BatchResult:
    """load_batch inside the caller's transaction (an archive file stores its state with it).

    `retried_batches`: a page this run stored already counts as new again (a retried batch
    whose first attempt committed). An archive scan says False: its files are retried whole
    under their own state, and one URL captured in two files is one new article, not two.
    """
    result = BatchResult()
    articles: dict[str, Processed] = {}
    for p in batch:
        if p.article is not None:
            if p.article.url in articles:
                result.count_duplicate(p.source)
            else:
                articles[p.article.url] = p
    if not articles:
        return result
    stored = {
        url: (first_run, source)
        for url, first_run, source in con.execute(
            "SELECT url, first_run_id, source FROM article WHERE url IN (SELECT unnest(?::VARCHAR[]))",
            [list(articles)],
        ).fetchall()
    }
    # URLs as listed that the warehouse knows already: a retried batch's own pages.
    listed_known = {
        url for (url,) in con.execute(
            "SELECT url FROM article_url WHERE url IN (SELECT unnest(?::VARCHAR[]))",
            [[p.listed_url or p.url for p in articles.values()]],
        ).fetchall()
    }
    # New to the warehouse, or this very page stored by this run (a retried batch whose
    # first attempt committed: same source, same listed URL): both count as this run's
    # new articles. Any other page of a stored article (another channel's copy, another
    # listed link redirecting to it, an earlier run's) is a duplicate.
    new, to_write = [], []
    for url, p in articles.items():
        if url not in stored:
            new.append(p)
            to_write.append(p)
        elif retried_batches and stored[url] == (run_id, p.source) and (p.listed_url or p.url) in listed_known:
            new.append(p)
        else:
            result.count_duplicate(p.source)
    # Every URL a page was reached under, for stored articles too: a new tracking
    # link to a known article is then skipped next time.
    bulk_insert(con, "article_url", URL_COLUMNS, url_rows(batch))
    if not new:
        return result
    story_of = assign_stories(con, to_write)
    bulk_insert(con, "article", ARTICLE_COLUMNS,
                (_article_row(p, run_id, story_of[article_id(p.article.url)]) for p in to_write if p.article))
    bulk_insert(con, "mention_candidate", MENTION_COLUMNS, candidate_rows(to_write, watchlist_version, run_id))
    bulk_insert(con, "article_programme", RELEVANCE_COLUMNS, relevance_rows(to_write, watchlist_version))
    for p in new:
        accepted = sum(c.accepted for c in p.candidates)
        result.new_articles[p.article.url] = (p.source, accepted)  # type: ignore[union-attr]
        result.articles_new += 1
        result.mentions_new += accepted
    return result


BAND_COLUMNS = {"band_key": "BIGINT", "article_id": "VARCHAR"}
# Stored articles compared with each new one, those sharing the most band keys first: a
# bound, so text that shares bands with thousands of articles cannot make a load quadratic.
STORY_CANDIDATES = 20


def assign_stories(con: duckdb.DuckDBPyConnection, batch: Sequence[Processed]) -> dict[str, str]:
    """article_id -> story_id for articles about to be stored, and their band keys stored."""
    return story_of(con, [(article_id(p.article.url), tuple(p.fingerprint) if p.fingerprint else None)
                          for p in batch if p.article is not None])


def story_of(con: duckdb.DuckDBPyConnection, new: list[tuple[str, tuple[int, ...] | None]]) -> dict[str, str]:
    """article_id -> story_id for (article_id, fingerprint) pairs, whose band keys are stored.

    Candidates are the stored articles sharing an LSH band key with a new one (an
    equality join); rassegna.stories decides which are near-duplicates.
    """
    bands = [(key, aid) for aid, fp in new for key in stories.candidate_bands(fp)]
    existing = con.execute(
        (resources.files("warehouse") / "story_candidates.sql").read_text("utf-8"),
        {"band_keys": [key for key, _ in bands], "band_articles": [aid for _, aid in bands],
         "per_article": STORY_CANDIDATES},
    ).fetchall() if bands else []
    bulk_insert(con, "article_band", BAND_COLUMNS, bands)
    # A retried call after its first attempt committed finds the articles' own bands: not candidates.
    ids = {aid for aid, _ in new}
    return stories.assign_stories(
        new, [(aid, tuple(fp) if fp else None, story) for aid, fp, story in existing if aid not in ids]
    )


def fingerprint_stories(con: duckdb.DuckDBPyConnection, fingerprints: list[tuple[str, tuple[int, ...] | None]]) -> int:
    """Give stored articles without a fingerprint (new mentions found by a rematch) theirs and a story."""
    with transaction(con):
        assigned = story_of(con, fingerprints)
        con.executemany(
            "UPDATE article SET fingerprint = ?, story_id = ? WHERE article_id = ?",
            [(list(fp) if fp else None, assigned[aid], aid) for aid, fp in fingerprints],
        )
    return len(assigned)


def unfingerprinted_with_mentions(con: duckdb.DuckDBPyConnection, after: str, limit: int) -> list[tuple[str, str]]:
    """(article_id, text) of articles with accepted mentions but no fingerprint, in id order after `after`."""
    return con.execute(
        "SELECT a.article_id, a.text FROM article a WHERE a.fingerprint IS NULL AND a.article_id > ? AND EXISTS"
        " (SELECT 1 FROM mention_candidate m WHERE m.article_id = a.article_id AND m.accepted)"
        " ORDER BY a.article_id LIMIT ?",
        [after, limit],
    ).fetchall()


def url_rows(batch: Iterable[Processed]) -> Iterator[tuple[str, str]]:
    for p in batch:
        if p.article is not None:
            aid = article_id(p.article.url)
            for url in dict.fromkeys((p.article.url, p.article.fetched_url, p.url, p.listed_url)):
                if url:
                    yield url, aid


def candidate_tuples(aid: str, candidates: Iterable[Candidate], watchlist_version: str, run_id: str) -> list[tuple[Any, ...]]:
    """Rows of mention_candidate, in MENTION_COLUMNS order."""
    return [
        (aid, c.entity_id, c.start_char, c.end_char, c.matched_text, c.alias, c.snippet, c.accepted,
         c.rule, c.evidence, c.confidence, watchlist_version, run_id, c.score, c.evidence_for,
         c.evidence_against, MATCHER_VERSION)
        for c in candidates
    ]


def relevance_tuples(aid: str, relevance: Iterable[Relevance], watchlist_version: str) -> list[tuple[Any, ...]]:
    """Rows of article_programme, in RELEVANCE_COLUMNS order."""
    return [(aid, r.entity_id, r.strength, r.mentions, r.in_title, watchlist_version) for r in relevance]


def candidate_rows(batch: Iterable[Processed], watchlist_version: str, run_id: str) -> Iterator[tuple[Any, ...]]:
    for p in batch:
        if p.article is not None:
            yield from candidate_tuples(article_id(p.article.url), p.candidates, watchlist_version, run_id)


def relevance_rows(batch: Iterable[Processed], watchlist_version: str) -> Iterator[tuple[Any, ...]]:
    for p in batch:
        if p.article is not None:
            yield from relevance_tuples(article_id(p.article.url), p.relevance, watchlist_version)


def _article_row(p: Processed, run_id: str, story_id: str) -> tuple[Any, ...]:
    a = p.article
    if a is None:
        raise ValueError(f"{p.url}: no article to store")
    fetched_at = datetime.fromisoformat(p.fetched_at).astimezone(timezone.utc).replace(tzinfo=None) if p.fetched_at else utcnow()
    return (
        article_id(a.url), a.url, p.source, a.fetched_url, a.title, a.author, a.published_at,
        a.date_precision, a.language, a.site_name, a.description, p.listed_by, p.listed_date,
        p.encoding, a.text, fetched_at, run_id, a.date_signal, a.date_candidates, a.date_conflict,
        a.teaser, p.fingerprint, story_id, p.archive_url, p.archived_at,
    )


def record_page_events(con: duckdb.DuckDBPyConnection, run_id: str, events: Iterable[dict[str, Any]]) -> None:
    rows = [
        (run_id, e["source"], e["url"], e["outcome"], e.get("reason"), (e.get("detail") or "")[:1000], e.get("at"))
        for e in events
    ]
    with transaction(con):
        bulk_insert(con, "page_event", PAGE_EVENT_COLUMNS, rows)


def known_urls(con: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """Every URL under which a stored article is known: as listed, as fetched, canonical."""
    for (url,) in con.execute("SELECT url FROM article_url").fetchall():
        yield url


def record_discovery(con: duckdb.DuckDBPyConnection, run_id: str, listings: Iterable[dict[str, str]]) -> None:
    """Remember which channel listed which URL: first and last run, and how many runs listed it."""
    unique: dict[tuple[str, str, str, str], str | None] = {}
    for r in listings:
        key = (r["source"], r["channel"], r.get("query") or "", r["url"])
        unique[key] = unique.get(key) or r.get("outlet") or None
    with transaction(con):
        con.execute("CREATE OR REPLACE TEMP TABLE listed_now AS SELECT * FROM discovery LIMIT 0")
        bulk_insert(con, "listed_now", DISCOVERY_COLUMNS,
                    ((*key, run_id, run_id, unique[key]) for key in sorted(unique)), skip_existing=False)
        # A retried task must not count a run twice: only a run not yet recorded adds one.
        con.execute(
            "INSERT INTO discovery (source, channel, query, url, first_run_id, last_run_id, times_listed, outlet)"
            " SELECT source, channel, query, url, first_run_id, last_run_id, 1, outlet FROM listed_now"
            " ON CONFLICT DO UPDATE SET times_listed = discovery.times_listed"
            " + CASE WHEN discovery.last_run_id = excluded.last_run_id THEN 0 ELSE 1 END,"
            " last_run_id = excluded.last_run_id, outlet = coalesce(excluded.outlet, discovery.outlet)"
        )
        con.execute("DROP TABLE listed_now")


def source_validators(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str | None]]:
    rows = con.execute("SELECT source, url, etag, last_modified FROM source_state").fetchall()
    return {source: {"url": url, "etag": etag, "last_modified": modified} for source, url, etag, modified in rows}


def record_source_validators(con: duckdb.DuckDBPyConnection, validators: dict[str, dict[str, str | None]]) -> None:
    rows = [(s, v["url"], v.get("etag"), v.get("last_modified"), utcnow()) for s, v in validators.items()]
    if not rows:
        return
    with transaction(con):
        con.executemany(
            "INSERT INTO source_state VALUES (?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET"
            " url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,"
            " updated_at = excluded.updated_at",
            rows,
        )


def record_source_runs(con: duckdb.DuckDBPyConnection, run_id: str, outcomes: Iterable[dict[str, Any]]) -> None:
    rows = [
        (run_id, o["source"], o["kind"], o["url"], o["status"], o["listed"], o["fetched"], o["extracted"],
         o["articles_new"], o["mentions_new"], sum(o["skip_reasons"].values()), sum(o["fail_reasons"].values()),
         json.dumps(o["skip_reasons"]), json.dumps(o["fail_reasons"]), o.get("error"))
        for o in outcomes
    ]
    with transaction(con):
        con.executemany(
            "INSERT INTO source_run VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            rows,
        )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: dict[str, int], error: str | None = None) -> None:
    with transaction(con):
        con.execute(
            "UPDATE run SET finished_at = ?, status = ?, sources_failed = ?, pages_fetched = ?,"
            " articles_extracted = ?, articles_new = ?, mentions_new = ?, error = ? WHERE run_id = ?",
            [utcnow(), status, counts.get("sources_failed", 0), counts.get("pages_fetched", 0),
             counts.get("articles_extracted", 0), counts.get("articles_new", 0), counts.get("mentions_new", 0),
             error, run_id],
        )


def new_mentions(con: duckdb.DuckDBPyConnection, run_id: str, limit: int = 500) -> list[dict[str, Any]]:
    """Accepted mentions a run stored, newest articles first, for the run's artifact."""
    cursor = con.execute(
        "SELECT e.entity_name, a.title, a.source, a.published_at, c.snippet, a.url"
        " FROM mention_candidate c JOIN entity e USING (entity_id) JOIN article a USING (article_id)"
        " WHERE c.accepted AND c.run_id = ? ORDER BY a.published_at DESC NULLS LAST, e.entity_name LIMIT ?",
        [run_id, limit],
    )
    names = [d[0] for d in cursor.description]
    return [{k: (str(v) if v is not None else "") for k, v in zip(names, row)} for row in cursor.fetchall()]


def flagged_sources(
    con: duckdb.DuckDBPyConnection, sources: Iterable[str], failing_runs: int, silent_runs: int
) -> list[dict[str, Any]]:
    """Sources of this configuration failing, or silent, for at least that many runs in a row."""
    cursor = con.execute(
        "SELECT source, failing_runs_in_a_row, silent_runs_in_a_row, last_new_article_run_at FROM source_health"
        " WHERE source IN (SELECT unnest(?::VARCHAR[]))"
        " AND (failing_runs_in_a_row >= ? OR silent_runs_in_a_row >= ?) ORDER BY source",
        [list(sources), failing_runs, silent_runs],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def mentions_per_entity(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, int]:
    """Accepted mentions per entity: those stored by `run_id`, or all of them (None)."""
    rows = con.execute(
        "SELECT e.entity_name, count(m.entity_id) FROM entity e LEFT JOIN mention_candidate m"
        " ON m.entity_id = e.entity_id AND m.accepted AND (? IS NULL OR m.run_id = ?)"
        " GROUP BY e.entity_name ORDER BY 2 DESC, 1",
        [run_id, run_id],
    ).fetchall()
    return dict(rows)


# --- rematch: recompute every mention over stored texts, then swap atomically ----------

_STAGED = {"mention_candidate": MENTION_COLUMNS, "article_programme": RELEVANCE_COLUMNS}


def start_rematch(con: duckdb.DuckDBPyConnection, run_id: str, watchlist_file: str, watchlist: Watchlist) -> None:
    mark_interrupted_runs(con, run_id)
    with transaction(con):
        con.execute(
            "INSERT INTO run (run_id, kind, started_at, status, watchlist_file, watchlist_version, matcher_version)"
            " VALUES (?, 'rematch', ?, 'running', ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
            [run_id, utcnow(), watchlist_file, watchlist.version, MATCHER_VERSION],
        )
        sync_entities(con, watchlist)
        for table in _STAGED:
            # Staging tables hold the new mentions until the swap; a rematch that dies
            # leaves them behind, and the next one starts them afresh.
            con.execute(f"CREATE OR REPLACE TABLE {table}_staging AS SELECT * FROM {table} LIMIT 0")


def article_texts(con: duckdb.DuckDBPyConnection, after: str, limit: int) -> list[tuple[str, str, str]]:
    """(article_id, title, text) in id order, starting after `after` (keyset pagination)."""
    return con.execute(
        "SELECT article_id, coalesce(title, ''), text FROM article WHERE article_id > ? ORDER BY article_id LIMIT ?",
        [after, limit],
    ).fetchall()


def stage_rematch(
    con: duckdb.DuckDBPyConnection,
    article_ids: list[str],
    candidates: list[tuple[Any, ...]],
    relevance: list[tuple[Any, ...]],
) -> None:
    """Stage one batch; a retried batch replaces its own earlier rows instead of doubling them."""
    with transaction(con):
        for table in _STAGED:
            con.execute(
                f"DELETE FROM {table}_staging WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [article_ids]
            )
        bulk_insert(con, "mention_candidate_staging", MENTION_COLUMNS, candidates, skip_existing=False)
        bulk_insert(con, "article_programme_staging", RELEVANCE_COLUMNS, relevance, skip_existing=False)


def swap_rematch(con: duckdb.DuckDBPyConnection, run_id: str, articles: int) -> int:
    """Replace all mentions with the staged ones in one transaction; returns accepted mentions."""
    with transaction(con):
        for table in _STAGED:
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM {table}_staging")
            con.execute(f"DROP TABLE {table}_staging")
        accepted = con.execute("SELECT count(*) FROM mention_candidate WHERE accepted").fetchone()[0]
        con.execute(
            "UPDATE run SET status = 'completed', finished_at = ?, articles_extracted = ?, mentions_new = ?"
            " WHERE run_id = ?",
            [utcnow(), articles, accepted, run_id],
        )
    return accepted


# --- archive scans: WARC files read, their state, and where each article was captured ----

CAPTURE_COLUMNS = {
    "article_id": "VARCHAR", "warc_file": "VARCHAR", "record_offset": "BIGINT", "record_length": "BIGINT",
    "captured_at": "TIMESTAMP", "url": "VARCHAR", "run_id": "VARCHAR",
}


def start_archive_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None, archive_url: str,
    watchlist_file: str, watchlist: Watchlist, files: Sequence[tuple[str, datetime]],
) -> list[str]:
    """Record the run and the files its window chose; returns those not done yet, in the given order.

    A file done by any earlier scan is never read again; one left 'pending' by a killed
    scan is read again from its start.
    """
    mark_interrupted_runs(con, run_id, archive_too=True)
    with transaction(con):
        con.execute(
            "INSERT INTO run (run_id, kind, flow_run_id, started_at, status, sources_file, watchlist_file,"
            " watchlist_version, sources_total, matcher_version) VALUES (?, 'archive', ?, ?, 'running', ?, ?, ?, ?, ?)"
            " ON CONFLICT (run_id) DO NOTHING",
            [run_id, flow_run_id, utcnow(), archive_url, watchlist_file, watchlist.version, len(files), MATCHER_VERSION],
        )
        sync_entities(con, watchlist)
        con.executemany(
            "INSERT INTO archive_file (warc_file, archive_url, started_at, state, run_id) VALUES (?, ?, ?, 'pending', ?)"
            " ON CONFLICT (warc_file) DO NOTHING",
            [(path, archive_url, begun, run_id) for path, begun in files],
        )
        done = {
            path for (path,) in con.execute(
                "SELECT warc_file FROM archive_file WHERE state = 'done' AND warc_file IN (SELECT unnest(?::VARCHAR[]))",
                [[path for path, _ in files]],
            ).fetchall()
        }
    return [path for path, _ in files if path not in done]


def store_archive_file(con: duckdb.DuckDBPyConnection, run_id: str, watchlist_version: str, scan: Any) -> BatchResult:
    """Store one scanned file (rassegna.archives.scan.FileScan): its articles, their captures
    and its state, in one transaction. A file already done (a retried call) changes nothing."""
    with transaction(con):
        state = con.execute("SELECT state FROM archive_file WHERE warc_file = ?", [scan.path]).fetchone()
        if state is not None and state[0] == "done":
            return BatchResult()
        result = store_batch(con, run_id, watchlist_version, [f.processed for f in scan.found], retried_batches=False)
        bulk_insert(con, "article_capture", CAPTURE_COLUMNS, (
            (article_id(f.processed.article.url), f.warc_file, f.offset, f.length,
             datetime.fromisoformat(f.captured_at).astimezone(timezone.utc).replace(tzinfo=None) if f.captured_at else None,
             f.processed.url, run_id)
            for f in scan.found if f.processed.article is not None
        ))
        con.execute(
            "UPDATE archive_file SET state = 'done', records = ?, candidates = ?, extracted = ?, mentions = ?,"
            " articles_new = ?, bytes_read = ?, seconds = ?, run_id = ?, finished_at = ? WHERE warc_file = ?",
            [scan.records, scan.candidates, scan.extracted, scan.mentions, result.articles_new, scan.bytes_read,
             scan.seconds, run_id, utcnow(), scan.path],
        )
    return result


def archive_progress(con: duckdb.DuckDBPyConnection, paths: Sequence[str]) -> dict[str, int]:
    """Files done of these, and the records, candidates and mentions they held."""
    row = con.execute(
        "SELECT count(*) FILTER (WHERE state = 'done'), coalesce(sum(records), 0), coalesce(sum(candidates), 0),"
        " coalesce(sum(mentions), 0) FROM archive_file WHERE warc_file IN (SELECT unnest(?::VARCHAR[]))",
        [list(paths)],
    ).fetchone()
    return dict(zip(("files_done", "records", "candidates", "mentions"), row))


# --- backfills ------------------------------------------------------------------------


def start_backfill(con: duckdb.DuckDBPyConnection, backfill_id: str, since: date, until: date, sources_file: str) -> None:
    """Record a new backfill; earlier ones still 'running' were killed (this one holds the writer lock)."""
    with transaction(con):
        con.execute("UPDATE backfill SET status = 'interrupted' WHERE status = 'running' AND backfill_id <> ?",
                    [backfill_id])
        con.execute("INSERT INTO backfill VALUES (?, ?, ?, ?, NULL, 'running', ?) ON CONFLICT DO NOTHING",
                    [backfill_id, since, until, utcnow(), sources_file])


def finish_backfill(con: duckdb.DuckDBPyConnection, backfill_id: str, status: str) -> None:
    with transaction(con):
        con.execute("UPDATE backfill SET status = ?, finished_at = ? WHERE backfill_id = ?",
                    [status, utcnow(), backfill_id])


def windows_done(con: duckdb.DuckDBPyConnection, keys: dict[str, str]) -> set[tuple[str, date, date]]:
    """(source, since, until) of the windows recorded done for these sources as configured now
    (`keys`: source -> rassegna.archives.windows.source_key)."""
    rows = con.execute(
        "SELECT source, source_key, window_since, window_until FROM backfill_progress"
        " WHERE source IN (SELECT unnest(?::VARCHAR[]))", [list(keys)],
    ).fetchall()
    return {(source, since, until) for source, key, since, until in rows if keys.get(source) == key}


def record_windows_done(con: duckdb.DuckDBPyConnection, rows: Iterable[dict[str, Any]]) -> None:
    """Windows whose every article is stored: a later backfill never asks for them again."""
    values = [(r["source"], r["source_key"], r["since"], r["until"], r["run_id"], r["backfill_id"], r["listed"],
               r["articles_new"], r["mentions_new"], json.dumps(r.get("gaps") or {}), utcnow()) for r in rows]
    if not values:
        return
    with transaction(con):
        con.executemany(
            "INSERT INTO backfill_progress VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", values
        )


def backfill_weeks(con: duckdb.DuckDBPyConnection, backfill_id: str) -> list[dict[str, Any]]:
    """Per source and week: what a backfill's runs listed and stored (warehouse/queries/backfill_weeks.sql)."""
    sql = (resources.files("warehouse") / "backfill_weeks.sql").read_text("utf-8")
    cursor = con.execute(sql, {"backfill_id": backfill_id})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def archive_pages_done(con: duckdb.DuckDBPyConnection, source: str, key: str, since: date, until: date
                       ) -> set[tuple[str, int]]:
    rows = con.execute(
        "SELECT endpoint, page FROM archive_page WHERE source = ? AND source_key = ? AND window_since = ?"
        " AND window_until = ?", [source, key, since, until],
    ).fetchall()
    return {(endpoint, page) for endpoint, page in rows}


def record_archive_page(
    con: duckdb.DuckDBPyConnection, source: str, key: str, since: date, until: date, endpoint: str, page: int,
    captures: Sequence[dict[str, Any]],
) -> None:
    """One index page's captures and the page itself, together: a page is done only with its captures."""
    with transaction(con):
        if captures:
            con.executemany(
                "INSERT INTO archive_capture VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
                " captured_at = excluded.captured_at, capture = excluded.capture"
                " WHERE excluded.captured_at > archive_capture.captured_at",
                [(source, since, until, c["url"], c["captured_at"], json.dumps(c)) for c in captures],
            )
        con.execute("INSERT INTO archive_page VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [source, key, since, until, endpoint, page, len(captures), utcnow()])


def archive_captures(con: duckdb.DuckDBPyConnection, sources: Sequence[str], since: date, until: date
                     ) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT source, capture FROM archive_capture WHERE source IN (SELECT unnest(?::VARCHAR[]))"
        " AND window_since = ? AND window_until = ? ORDER BY source, url", [list(sources), since, until],
    ).fetchall()
    return [{"source": source, **json.loads(capture)} for source, capture in rows]
