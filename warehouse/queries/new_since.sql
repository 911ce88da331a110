-- Mentions in articles stored since a date: set it first, e.g. SET VARIABLE since = DATE '2025-09-01';
with params as (
    select coalesce(getvariable('since'), current_date - interval 7 day)::timestamp as since
),

recent as (
    select a.article_id, a.fetched_at, a.published_at, a.source, a.title, a.url
    from articles a, params
    where a.fetched_at >= params.since
)

select r.fetched_at, r.published_at, m.entity_name, r.source, r.title, m.snippet, r.url
from recent r
join mentions m using (article_id)
order by r.fetched_at desc, m.entity_name
