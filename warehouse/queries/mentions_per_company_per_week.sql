-- Mentions per company per week (weeks start on Monday; undated articles by fetch date).
with dated as (
    select
        m.entity_name,
        date_trunc('week', coalesce(m.published_at, a.fetched_at)) as week
    from mentions m
    join articles a using (article_id)
    where m.entity_kind = 'company'
)

select week, entity_name, count(*) as mentions
from dated
group by all
order by week, mentions desc, entity_name
