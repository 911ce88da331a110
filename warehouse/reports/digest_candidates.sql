-- Digest rows for one recipient: every accepted mention (one row per article and entity) in
-- articles stored in the digest's window, that this recipient has not been sent yet, with the
-- story it belongs to, so the digest can show a release run by many outlets as one line.
-- Variables: digest_since, digest_until (UTC), digest_address, digest_entities (NULL: all).
with params as (
    select
        getvariable('digest_since')::timestamp as since,
        getvariable('digest_until')::timestamp as until,
        getvariable('digest_address')::varchar as address,
        getvariable('digest_entities')::varchar[] as entities
),

delivered as (
    -- Sent, or possibly sent (the process died while the server had the message): never again.
    select dm.article_id, dm.entity_id
    from main.digest_mention dm
    join main.digest_recipient dr using (digest_id, address)
    join params on dr.address = params.address
    where dr.status in ('sent', 'uncertain')
),

stored as (
    select
        a.article_id,
        a.url,
        a.title,
        coalesce(a.site_name, a.source) as outlet,
        coalesce(a.published_at, a.fetched_at) as article_date,
        coalesce(a.story_id, a.article_id) as story_id
    from main.article a, params
    where a.fetched_at >= params.since and a.fetched_at < params.until
),

first_sentence as (
    -- The sentence of the entity's first mention in the article, and every form it took there.
    select
        m.article_id,
        m.entity_id,
        arg_min(m.snippet, m.start_char) as snippet,
        list(distinct m.matched_text) as matched_texts
    from main.mention_candidate m
    join stored using (article_id)
    where m.accepted
    group by all
),

wanted as (
    select f.*
    from first_sentence f, params
    where (params.entities is null or list_contains(params.entities, f.entity_id))
      and not exists (
          select 1 from delivered d where d.article_id = f.article_id and d.entity_id = f.entity_id
      )
)

select
    wanted.article_id,
    wanted.entity_id,
    e.entity_name,
    e.kind as entity_kind,
    stored.story_id,
    stored.url,
    stored.title,
    stored.outlet,
    stored.article_date,
    wanted.snippet,
    wanted.matched_texts,
    p.strength,
    s.outlets as story_outlets,
    s.outlet_names as story_outlet_names
from wanted
join stored using (article_id)
join main.entity e using (entity_id)
join stories s using (story_id)
left join main.article_programme p using (article_id, entity_id)
order by e.kind = 'programme' desc, lower(e.entity_name), stored.article_date desc, stored.outlet, wanted.article_id
