-- Backfills (issue 13): a run can be a backfill slice, asking every channel that reaches
-- the past for one date window; which (source, window) pairs are done is recorded, so a
-- killed backfill resumes where it stopped and a repeated one fetches nothing.

CREATE TABLE backfill (
    backfill_id   VARCHAR PRIMARY KEY,
    window_since  DATE NOT NULL,
    window_until  DATE NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        VARCHAR NOT NULL,
    sources_file  VARCHAR
);

ALTER TABLE run ADD COLUMN window_since DATE;
ALTER TABLE run ADD COLUMN window_until DATE;
ALTER TABLE run ADD COLUMN backfill_id VARCHAR;

CREATE TABLE backfill_progress (
    source        VARCHAR NOT NULL,
    source_key    VARCHAR NOT NULL,
    window_since  DATE NOT NULL,
    window_until  DATE NOT NULL,
    run_id        VARCHAR NOT NULL,
    backfill_id   VARCHAR NOT NULL,
    listed        INTEGER NOT NULL DEFAULT 0,
    articles_new  INTEGER NOT NULL DEFAULT 0,
    mentions_new  INTEGER NOT NULL DEFAULT 0,
    gaps          JSON,
    done_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (source, source_key, window_since, window_until)
);

-- The outlet a search engine named for a URL it listed (Google News' <source>, Bing's News:Source).
ALTER TABLE discovery ADD COLUMN outlet VARCHAR;

-- Web archives: an article read from an archived copy (its live page gone or walled) keeps
-- its live URL; where the copy came from and when it was captured are recorded beside it.
ALTER TABLE article ADD COLUMN archive_url VARCHAR;
ALTER TABLE article ADD COLUMN archived_at TIMESTAMP;

-- What an archive's index listed for a source and window (latest capture per URL), page by
-- page: a backfill killed while listing resumes after the last page recorded.
CREATE TABLE archive_capture (
    source        VARCHAR NOT NULL,
    window_since  DATE NOT NULL,
    window_until  DATE NOT NULL,
    url           VARCHAR NOT NULL,
    captured_at   TIMESTAMP NOT NULL,
    capture       JSON NOT NULL,
    PRIMARY KEY (source, window_since, window_until, url)
);

CREATE TABLE archive_page (
    source        VARCHAR NOT NULL,
    source_key    VARCHAR NOT NULL,
    window_since  DATE NOT NULL,
    window_until  DATE NOT NULL,
    endpoint      VARCHAR NOT NULL,
    page          INTEGER NOT NULL,
    captures      INTEGER NOT NULL,
    done_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (source, source_key, window_since, window_until, endpoint, page)
);
