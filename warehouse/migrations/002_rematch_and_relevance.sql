-- Runs come in two kinds now: 'monitor' (crawl and store) and 'rematch' (recompute
-- mentions over stored texts after a watchlist change). Programme relevance per article.

ALTER TABLE run ADD COLUMN kind VARCHAR DEFAULT 'monitor';

CREATE TABLE article_programme (
    article_id         VARCHAR NOT NULL,
    entity_id          VARCHAR NOT NULL,
    strength           VARCHAR NOT NULL,
    mentions           INTEGER NOT NULL,
    in_title           BOOLEAN NOT NULL,
    watchlist_version  VARCHAR NOT NULL,
    PRIMARY KEY (article_id, entity_id)
);
