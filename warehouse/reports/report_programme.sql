-- Report rows: articles covering a programme in the period, strongest coverage first.
with period as (
    select getvariable('report_since')::timestamp as since, getvariable('report_until')::timestamp as until
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
)

select programme, strength, article_date, source, outlet, title, url
from coverage, period
where (period.since is null or article_date >= period.since)
  and (period.until is null or article_date < period.until + interval 1 day)
order by strength_rank, article_date desc
