-- What the matcher rejected, by entity and rule: where to look when a mention seems missed.
with rejected as (
    select entity_name, rule, evidence, snippet from rejected_mentions
)

select entity_name, rule, count(*) as candidates, any_value(snippet) as example
from rejected
group by entity_name, rule
order by entity_name, candidates desc
