-- One row per run (monitor, rematch, backfill slice): when, how it ended, what it found.
with run as (
    select * from main.run
)

select
    run_id,
    kind,
    started_at,
    finished_at,
    status,
    date_diff('millisecond', started_at, finished_at) / 1000.0 as duration_s,
    sources_total,
    sources_failed,
    pages_fetched,
    articles_extracted,
    articles_new,
    mentions_new,
    watchlist_version,
    matcher_version,
    sources_file,
    watchlist_file,
    flow_run_id,
    window_since,
    window_until,
    backfill_id,
    error
from run
