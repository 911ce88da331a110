-- Archive scans (`rassegna archive`, flow archive-scan): which WARC files of Common Crawl
-- News a scan has read, with their counts, and where each stored article was captured, so
-- a record can be read again (re-extraction) without its site.

CREATE TABLE archive_file (
    warc_file      VARCHAR PRIMARY KEY,
    archive_url    VARCHAR NOT NULL,
    started_at     TIMESTAMP,
    state          VARCHAR NOT NULL,
    records        INTEGER,
    candidates     INTEGER,
    extracted      INTEGER,
    mentions       INTEGER,
    articles_new   INTEGER,
    bytes_read     BIGINT,
    seconds        DOUBLE,
    run_id         VARCHAR NOT NULL,
    finished_at    TIMESTAMP
);

CREATE TABLE article_capture (
    article_id     VARCHAR NOT NULL,
    warc_file      VARCHAR NOT NULL,
    record_offset  BIGINT NOT NULL,
    record_length  BIGINT NOT NULL,
    captured_at    TIMESTAMP,
    url            VARCHAR NOT NULL,
    run_id         VARCHAR NOT NULL,
    PRIMARY KEY (warc_file, record_offset)
);
