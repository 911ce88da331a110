-- First and latest coverage of each entity, with how many articles and outlets.
with coverage as (
    select m.entity_name, m.article_id, a.source, coalesce(a.published_at, a.fetched_at) as seen_at
    from mentions m
    join articles a using (article_id)
)

select
    entity_name,
    min(seen_at) as first_coverage,
    max(seen_at) as latest_coverage,
    count(distinct article_id) as articles,
    count(distinct source) as outlets
from coverage
group by entity_name
order by latest_coverage desc
