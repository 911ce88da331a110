-- The first schema: runs and their per-source outcomes, articles, the watchlist's
-- entities and every mention candidate with its decision. Tables are singular and
-- private to the loader; analysts use the views in warehouse/views/.

CREATE TABLE run (
    run_id             VARCHAR PRIMARY KEY,
    flow_run_id        VARCHAR,
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP,
    status             VARCHAR NOT NULL,
    sources_file       VARCHAR,
    watchlist_file     VARCHAR,
    watchlist_version  VARCHAR,
    sources_total      INTEGER,
    sources_failed     INTEGER,
    pages_fetched      INTEGER,
    articles_extracted INTEGER,
    articles_new       INTEGER,
    mentions_new       INTEGER,
    error              VARCHAR
);

CREATE TABLE source_run (
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,
    listed        INTEGER NOT NULL DEFAULT 0,
    fetched       INTEGER NOT NULL DEFAULT 0,
    extracted     INTEGER NOT NULL DEFAULT 0,
    articles_new  INTEGER NOT NULL DEFAULT 0,
    mentions_new  INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    skip_reasons  JSON,
    fail_reasons  JSON,
    error         VARCHAR,
    PRIMARY KEY (run_id, source)
);

CREATE TABLE page_event (
    run_id   VARCHAR NOT NULL,
    source   VARCHAR NOT NULL,
    url      VARCHAR NOT NULL,
    outcome  VARCHAR NOT NULL,
    reason   VARCHAR,
    detail   VARCHAR,
    happened_at  TIMESTAMP,
    PRIMARY KEY (run_id, source, url)
);

CREATE TABLE article (
    article_id      VARCHAR PRIMARY KEY,
    url             VARCHAR NOT NULL UNIQUE,
    source          VARCHAR NOT NULL,
    fetched_url     VARCHAR NOT NULL,
    title           VARCHAR,
    author          VARCHAR,
    published_at    TIMESTAMP,
    date_precision  VARCHAR,
    language        VARCHAR,
    site_name       VARCHAR,
    description     VARCHAR,
    listed_by       VARCHAR,
    listed_date     VARCHAR,
    encoding        VARCHAR,
    text            VARCHAR NOT NULL,
    fetched_at      TIMESTAMP NOT NULL,
    first_run_id    VARCHAR NOT NULL
);

CREATE TABLE entity (
    entity_id          VARCHAR PRIMARY KEY,
    entity_name        VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,
    description        VARCHAR,
    watchlist_version  VARCHAR NOT NULL
);

CREATE TABLE mention_candidate (
    article_id         VARCHAR NOT NULL,
    entity_id          VARCHAR NOT NULL,
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL,
    matched_text       VARCHAR NOT NULL,
    alias              VARCHAR NOT NULL,
    snippet            VARCHAR,
    accepted           BOOLEAN NOT NULL,
    rule               VARCHAR NOT NULL,
    evidence           VARCHAR,
    confidence         DOUBLE,
    watchlist_version  VARCHAR NOT NULL,
    run_id             VARCHAR NOT NULL,
    PRIMARY KEY (article_id, entity_id, start_char)
);
