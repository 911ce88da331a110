-- One row per article and channel that listed it: a feed, a sitemap, a site crawl or a
-- search query. An article found by three channels has three rows.
with discovery as (
    select * from main.discovery
),

article_url as (
    select * from main.article_url
),

article as (
    select article_id, title, published_at from main.article
),

found as (
    -- One channel may list an article under several of its URLs (a tracking link and the
    -- canonical one, an AMP copy): still one row for the pair.
    select
        article_url.article_id,
        discovery.source,
        discovery.channel,
        nullif(discovery.query, '') as query,
        min(discovery.first_run_id) as first_run_id,
        max(discovery.last_run_id) as last_run_id,
        max(discovery.times_listed) as times_listed
    from discovery
    join article_url using (url)
    group by all
)

select
    found.article_id,
    article.title,
    article.published_at,
    found.source,
    found.channel,
    found.query,
    found.first_run_id,
    found.last_run_id,
    found.times_listed
from found
join article using (article_id)
