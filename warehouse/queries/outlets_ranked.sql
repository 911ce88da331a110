-- Outlets ranked by the articles they ran that mention a watched entity.
with covering as (
    select distinct article_id, source from mentions
)

select
    source as outlet,
    count(*) as articles_with_mentions
from covering
group by source
order by articles_with_mentions desc, outlet
