-- Report rows: every accepted mention in articles published (or, undated, fetched) in the period.
with period as (
    -- since and until are days in the readers' zone (report_tz), as the report shows them.
    select
        getvariable('report_since')::timestamp as since,
        getvariable('report_until')::timestamp as until,
        getvariable('report_tz') as tz
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
),

local as (
    -- The warehouse keeps UTC; an article out at 00:40 in Rome belongs to that Rome day.
    select dated.*, timezone(period.tz, timezone('UTC', dated.article_date)) as local_date
    from dated, period
)

select local.* exclude (local_date)
from local, period
where (period.since is null or local_date >= period.since)
  and (period.until is null or local_date < period.until + interval 1 day)
-- Two aliases of one entity in one sentence ("INNOVIT, the Italian Innovation and Culture
-- Hub") are two mentions but one line for a reader.
qualify row_number() over (partition by entity_name, url, snippet order by source) = 1
order by entity_name, article_date desc, source
