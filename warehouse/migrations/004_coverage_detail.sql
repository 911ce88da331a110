-- What issue 4 asks of each article: where its date came from and whether the
-- candidates disagree, whether the page was only a paywall teaser, which story
-- (near-duplicate group) it belongs to; every URL it is known under; and every
-- channel that listed it.

ALTER TABLE article ADD COLUMN date_signal VARCHAR;
ALTER TABLE article ADD COLUMN date_candidates JSON;
ALTER TABLE article ADD COLUMN date_conflict BOOLEAN DEFAULT false;
ALTER TABLE article ADD COLUMN teaser BOOLEAN DEFAULT false;
ALTER TABLE article ADD COLUMN fingerprint UINTEGER[];
ALTER TABLE article ADD COLUMN story_id VARCHAR;

-- Before this migration a story was never computed: each article is its own story.
UPDATE article SET story_id = article_id;

-- LSH band keys of each fingerprint (rassegna/stories.py): a new article's near-duplicate
-- candidates are the stored articles sharing a key, found by an equality join.
CREATE TABLE article_band (
    band_key    BIGINT NOT NULL,
    article_id  VARCHAR NOT NULL,
    PRIMARY KEY (band_key, article_id)
);

-- An article is reached under several URLs: as listed (a feed's tracking link, a
-- redirecting short link), as fetched (after redirects) and canonical. All are
-- remembered so none is fetched again, and channels can be joined to articles.
CREATE TABLE article_url (
    url         VARCHAR PRIMARY KEY,
    article_id  VARCHAR NOT NULL
);
INSERT INTO article_url SELECT url, article_id FROM article ON CONFLICT DO NOTHING;
INSERT INTO article_url SELECT fetched_url, article_id FROM article ON CONFLICT DO NOTHING;

-- Every URL a channel listed (a feed, a sitemap, a site crawl, a search query),
-- whether or not it was fetched: analysts see what each channel adds and overlaps.
CREATE TABLE discovery (
    source         VARCHAR NOT NULL,
    channel        VARCHAR NOT NULL,
    query          VARCHAR NOT NULL DEFAULT '',
    url            VARCHAR NOT NULL,
    first_run_id   VARCHAR NOT NULL,
    last_run_id    VARCHAR NOT NULL,
    times_listed   INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (source, channel, query, url)
);
