-- Stories that mention a watched entity, with every outlet that ran them: count a
-- press release once, see everywhere it appeared.
with stories_with_mentions as (
    select *
    from stories
    where len(entities) > 0
)

select
    first_published_at,
    title,
    articles,
    outlets,
    outlet_names,
    entities,
    first_url
from stories_with_mentions
order by outlets desc, first_published_at desc nulls last
