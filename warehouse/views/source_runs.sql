-- Per run and source: what was listed, fetched, extracted and found, and what went wrong.
with source_run as (
    select * from main.source_run
),

run as (
    select run_id, started_at from main.run
)

select
    source_run.run_id,
    run.started_at as run_started_at,
    source_run.source,
    source_run.kind,
    source_run.url,
    source_run.status,
    source_run.listed,
    source_run.fetched,
    source_run.extracted,
    source_run.articles_new,
    source_run.mentions_new,
    source_run.skipped,
    source_run.failed,
    source_run.skip_reasons,
    source_run.fail_reasons,
    source_run.error
from source_run
join run using (run_id)
