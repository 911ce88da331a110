-- What each channel adds: articles it listed, and how many no other channel listed.
-- Use it to decide which feeds, sitemaps and search queries earn their keep.
with per_article as (
    select
        article_id,
        source,
        channel,
        coalesce(query, '') as query,
        count(*) over (partition by article_id) as channels_listing_it  -- one row per channel (see the view)
    from article_channels
),

per_channel as (
    select
        source,
        channel,
        query,
        count(distinct article_id) as articles,
        count(distinct article_id) filter (where channels_listing_it = 1) as only_here
    from per_article
    group by source, channel, query
)

select
    source,
    channel,
    nullif(query, '') as query,
    articles,
    only_here,
    articles - only_here as also_elsewhere
from per_channel
order by articles desc, source, channel, query
