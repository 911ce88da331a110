-- Articles that cover Imprese Vincenti or INNOVIT, and how strongly: 'headline' (named in the
-- title), 'lead' (in the opening lines), 'body' (named repeatedly), 'passing' (named once).
with coverage as (
    select * from main.article_programme
),

entity as (
    select entity_id, entity_name from main.entity
),

article as (
    select article_id, url, source, title, published_at from main.article
)

select
    coverage.article_id,
    coverage.entity_id,
    entity.entity_name,
    coverage.strength,
    case coverage.strength when 'headline' then 1 when 'lead' then 2 when 'body' then 3 else 4 end as strength_rank,
    coverage.mentions,
    coverage.in_title,
    article.url,
    article.source,
    article.title,
    article.published_at,
    coverage.watchlist_version
from coverage
join entity using (entity_id)
join article using (article_id)
