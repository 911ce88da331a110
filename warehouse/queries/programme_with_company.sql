-- Articles that cover a programme and a company together, strongest programme coverage first.
with programme as (
    select article_id, entity_name as programme, strength, strength_rank from programme_coverage
),

company as (
    select article_id, string_agg(distinct entity_name, ', ' order by entity_name) as companies
    from mentions
    where entity_kind = 'company'
    group by article_id
)

select a.published_at, a.source, a.title, programme.programme, programme.strength, company.companies, a.url
from programme
join company using (article_id)
join articles a using (article_id)
order by programme.strength_rank, a.published_at desc nulls last
