-- Candidates the matcher found but rejected, with the rule that rejected them: the audit trail.
with rejected as (
    select * from main.mention_candidate where not accepted
),

entity as (
    select entity_id, entity_name, kind from main.entity
),

article as (
    select article_id, url, source, title, published_at from main.article
)

select
    rejected.article_id,
    rejected.entity_id,
    entity.entity_name,
    entity.kind as entity_kind,
    rejected.matched_text,
    rejected.start_char,
    rejected.end_char,
    rejected.snippet,
    rejected.alias,
    rejected.rule,
    rejected.evidence,
    rejected.confidence,
    rejected.score,
    rejected.evidence_for,
    rejected.evidence_against,
    rejected.watchlist_version,
    rejected.matcher_version,
    article.url,
    article.source,
    article.title,
    article.published_at
from rejected
join entity using (entity_id)
join article using (article_id)
