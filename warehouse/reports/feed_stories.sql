-- Feed entries: one row per story and watched entity it mentions, newest first, with the
-- sentence of the entity's first mention in the story's earliest article that names it.
with mentioned as (
    select
        coalesce(a.story_id, a.article_id) as story_id,
        m.entity_id,
        a.article_id,
        a.url,
        a.title,
        coalesce(a.site_name, a.source) as outlet,
        coalesce(a.published_at, a.fetched_at) as article_date,
        m.snippet,
        m.start_char
    from main.mention_candidate m
    join main.article a using (article_id)
    where m.accepted
),

per_story as (
    select
        story_id,
        entity_id,
        arg_min(url, (article_date, article_id, start_char)) as url,
        arg_min(title, (article_date, article_id, start_char)) as title,
        arg_min(outlet, (article_date, article_id, start_char)) as outlet,
        arg_min(snippet, (article_date, article_id, start_char)) as snippet,
        min(article_date) as published,
        max(article_date) as updated
    from mentioned
    group by all
)

select
    per_story.story_id,
    per_story.entity_id,
    e.entity_name,
    e.kind as entity_kind,
    per_story.url,
    per_story.title,
    per_story.outlet,
    per_story.snippet,
    per_story.published,
    per_story.updated,
    s.outlets as story_outlets,
    s.outlet_names as story_outlet_names
from per_story
join main.entity e using (entity_id)
join stories s using (story_id)
order by per_story.updated desc, per_story.story_id, e.entity_name
