-- One row per story: a group of near-duplicate articles (the same release run by several
-- outlets, lightly edited), so coverage can be counted once and every outlet still seen.
with articles as (
    select
        coalesce(story_id, article_id) as story_id,
        article_id,
        source,
        coalesce(site_name, source) as outlet,
        title,
        url,
        published_at,
        fetched_at
    from main.article
),

first_article as (
    -- The earliest-dated article names the story; fetch time breaks ties and stands in for a missing date.
    select distinct on (story_id) story_id, title, url, outlet
    from articles
    order by story_id, published_at nulls last, fetched_at, article_id
),

mentioned as (
    select coalesce(a.story_id, a.article_id) as story_id, list(distinct e.entity_name order by e.entity_name) as entities
    from main.mention_candidate m
    join main.article a using (article_id)
    join main.entity e using (entity_id)
    where m.accepted
    group by 1
),

grouped as (
    select
        story_id,
        count(*) as articles,
        count(distinct outlet) as outlets,
        list(distinct outlet order by outlet) as outlet_names,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at
    from articles
    group by story_id
)

select
    grouped.story_id,
    first_article.title,
    first_article.url as first_url,
    first_article.outlet as first_outlet,
    grouped.articles,
    grouped.outlets,
    grouped.outlet_names,
    grouped.first_published_at,
    grouped.last_published_at,
    coalesce(mentioned.entities, []) as entities
from grouped
join first_article using (story_id)
left join mentioned using (story_id)
