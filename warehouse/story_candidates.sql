-- Stored articles that may be near-duplicates of the articles being loaded: those sharing
-- LSH band keys with them (rassegna/stories.py), at most $per_article per new article, the
-- ones sharing the most keys first. Parameters: $band_keys and $band_articles, parallel lists.
with new_band as (
    select unnest($band_keys::BIGINT[]) as band_key, unnest($band_articles::VARCHAR[]) as new_id
),

shared as (
    select new_band.new_id, article_band.article_id, count(*) as keys_shared
    from new_band
    join main.article_band using (band_key)
    group by new_band.new_id, article_band.article_id
),

nearest as (
    select article_id
    from shared
    qualify row_number() over (partition by new_id order by keys_shared desc, article_id) <= $per_article
)

select distinct article.article_id, article.fingerprint, coalesce(article.story_id, article.article_id)
from nearest
join main.article using (article_id)
