-- One row per digest and recipient: what was sent to whom, when, and with what outcome.
with recipient as (
    select * from main.digest_recipient
),

digest as (
    select digest_id, period, since, until, created_at from main.digest
),

carried as (
    select digest_id, address, count(*) as mentions
    from main.digest_mention
    group by all
)

select
    recipient.digest_id,
    digest.period,
    digest.since,
    digest.until,
    digest.created_at,
    recipient.address,
    recipient.language,
    recipient.subject,
    recipient.message_id,
    recipient.stories,
    coalesce(carried.mentions, 0) as mentions,
    recipient.status,
    recipient.attempts,
    recipient.error,
    recipient.sent_at
from recipient
join digest using (digest_id)
left join carried using (digest_id, address)
