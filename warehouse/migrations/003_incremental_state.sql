-- What each source's own URL answered last time, so the next run can ask "changed since?"
-- (If-None-Match / If-Modified-Since) and skip an unchanged feed or sitemap.

CREATE TABLE source_state (
    source         VARCHAR PRIMARY KEY,
    url            VARCHAR NOT NULL,
    etag           VARCHAR,
    last_modified  VARCHAR,
    updated_at     TIMESTAMP NOT NULL
);
