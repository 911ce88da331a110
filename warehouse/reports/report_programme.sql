-- Report rows: articles covering a programme in the period, strongest coverage first.
with period as (
    -- since and until are days in the readers' zone (report_tz), as the report shows them.
    select
        getvariable('report_since')::timestamp as since,
        getvariable('report_until')::timestamp as until,
        getvariable('report_tz') as tz
),

coverage as (
    select
        c.entity_name as programme,
        c.strength,
        c.strength_rank,
        coalesce(c.published_at, a.fetched_at) as article_date,
        c.source,
        coalesce(a.site_name, c.source) as outlet,
        c.title,
        c.url
    from programme_coverage c
    join articles a using (article_id)
),

local as (
    -- The warehouse keeps UTC; an article out at 00:40 in Rome belongs to that Rome day.
    select coverage.*, timezone(period.tz, timezone('UTC', coverage.article_date)) as local_date
    from coverage, period
)

select programme, strength, article_date, source, outlet, title, url
from local, period
where (period.since is null or local_date >= period.since)
  and (period.until is null or local_date < period.until + interval 1 day)
order by strength_rank, article_date desc
