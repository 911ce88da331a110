-- One row per article (canonical URL); text as extracted, boilerplate removed.
with article as (
    select * from main.article
)

select
    article_id,
    url,
    source,
    title,
    published_at,
    fetched_at,
    language,
    text,
    author,
    site_name,
    description,
    date_precision,
    date_signal,
    date_conflict,
    date_candidates,
    teaser,
    coalesce(story_id, article_id) as story_id,
    listed_by,
    fetched_url,
    length(text) as text_chars,
    first_run_id,
    archive_url,
    archived_at
from article
