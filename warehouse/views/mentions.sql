-- Accepted mentions, with the evidence that accepted them and the article's essentials.
with accepted as (
    select * from main.mention_candidate where accepted
),

entity as (
    select entity_id, entity_name, kind from main.entity
),

article as (
    select article_id, url, source, title, published_at from main.article
)

select
    accepted.article_id,
    accepted.entity_id,
    entity.entity_name,
    entity.kind as entity_kind,
    accepted.matched_text,
    accepted.start_char,
    accepted.end_char,
    accepted.snippet,
    accepted.alias,
    accepted.rule,
    accepted.evidence,
    accepted.confidence,
    accepted.score,
    accepted.evidence_for,
    accepted.evidence_against,
    accepted.watchlist_version,
    accepted.matcher_version,
    article.url,
    article.source,
    article.title,
    article.published_at
from accepted
join entity using (entity_id)
join article using (article_id)
