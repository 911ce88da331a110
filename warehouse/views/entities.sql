-- The watchlist's entities as last loaded: the twelve companies and two programmes.
with entity as (
    select * from main.entity
)

select
    entity_id,
    entity_name,
    kind,
    description,
    watchlist_version
from entity
