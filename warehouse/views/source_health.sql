-- One row per source: how many of its latest monitoring runs in a row failed, and how many
-- in a row stored nothing new. A source silent for weeks may have changed its feed URL.
with history as (
    select
        source_run.source,
        source_run.status = 'failed' as failed,
        source_run.articles_new,
        run.started_at,
        row_number() over (partition by source_run.source order by run.started_at desc) as recency
    from main.source_run
    join main.run using (run_id)
    where run.kind = 'monitor' and run.status <> 'running'
),

per_source as (
    select
        source,
        count(*) as runs,
        max(started_at) as last_run_at,
        max(started_at) filter (where articles_new > 0) as last_new_article_run_at,
        arg_max(failed, started_at) as last_run_failed,
        min(recency) filter (where not failed) as latest_ok,
        min(recency) filter (where articles_new > 0) as latest_with_new
    from history
    group by source
)

select
    source,
    runs,
    last_run_at,
    last_run_failed,
    coalesce(latest_ok, runs + 1) - 1 as failing_runs_in_a_row,
    coalesce(latest_with_new, runs + 1) - 1 as silent_runs_in_a_row,
    last_new_article_run_at
from per_source
