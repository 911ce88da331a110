-- Report rows: every accepted mention in articles published (or, undated, fetched) in the period.
with period as (
    select getvariable('report_since')::timestamp as since, getvariable('report_until')::timestamp as until
),

dated as (
    select
        m.entity_name,
        m.entity_kind,
        coalesce(a.published_at, a.fetched_at) as article_date,
        a.published_at,
        a.source,
        a.site_name,
        coalesce(a.site_name, a.source) as outlet,
        a.title,
        m.snippet,
        a.url,
        a.story_id,
        -- The same release on several outlets is one story: count it once, see where it ran.
        s.outlets as story_outlets,
        a.teaser
    from mentions m
    join articles a using (article_id)
    join stories s using (story_id)
)

select dated.*
from dated, period
where (period.since is null or article_date >= period.since)
  and (period.until is null or article_date < period.until + interval 1 day)
-- Two aliases of one entity in one sentence ("INNOVIT, the Italian Innovation and Culture
-- Hub") are two mentions but one line for a reader.
qualify row_number() over (partition by entity_name, url, snippet order by source) = 1
order by entity_name, article_date desc, source
