-- One row per article a backfill stored, with the window the backfill asked for and
-- whether the article's own date falls in it: engines and sitemaps also list articles
-- from outside it (a search's fuzzy edges, a sitemap entry modified since).
with article as (
    select article_id, url, source, title, published_at, first_run_id from main.article
),

run as (
    select run_id, backfill_id from main.run where kind = 'backfill'
),

backfill as (
    select backfill_id, window_since, window_until from main.backfill
)

select
    article.article_id,
    article.url,
    article.source,
    article.title,
    article.published_at,
    backfill.backfill_id,
    run.run_id,
    backfill.window_since,
    backfill.window_until,
    case
        when article.published_at is null then 'undated'
        when cast(article.published_at as date) < backfill.window_since then 'before'
        when cast(article.published_at as date) > backfill.window_until then 'after'
        else 'in-window'
    end as placement
from article
join run on run.run_id = article.first_run_id
join backfill using (backfill_id)
