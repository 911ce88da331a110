-- What one backfill found, per source and week of publication: URLs listed, articles
-- stored new (in the window, outside it, undated) and accepted mentions in them.
with runs as (
    select run_id from main.run where backfill_id = $backfill_id
),

listed as (
    select source, count(distinct url) as listed
    from main.discovery
    where last_run_id in (select run_id from runs)
    group by source
),

stored as (
    select
        b.source,
        date_trunc('week', b.published_at)::date as week,
        b.placement,
        b.article_id
    from main.backfill_articles b
    where b.backfill_id = $backfill_id
),

mentions as (
    select article_id, count(*) as mentions
    from main.mention_candidate
    where accepted
    group by article_id
),

weekly as (
    select
        stored.source,
        stored.week,
        count(*) filter (where placement = 'in-window') as articles_in_window,
        count(*) filter (where placement in ('before', 'after')) as articles_outside_window,
        count(*) filter (where placement = 'undated') as articles_undated,
        coalesce(sum(mentions.mentions), 0)::integer as mentions
    from stored
    left join mentions using (article_id)
    group by all
)

select
    weekly.source,
    weekly.week,
    listed.listed as listed_by_source,
    weekly.articles_in_window,
    weekly.articles_outside_window,
    weekly.articles_undated,
    weekly.mentions
from weekly
left join listed using (source)
order by weekly.source, weekly.week nulls last
