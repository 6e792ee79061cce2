-- access: aggregate
-- suppress: enterprises:
-- perturb: ckey: count enterprises
-- The values every sidebar filter may offer (facet: country, province, sector, phase, partner or module) under these
-- filters, and how many enterprises: those with enterprises (score.filter_options asks for each filter under the
-- other filters; the filters it leaves as they are share one run). A province is named with its country (two
-- countries may have a province of the same name). The public sees the values of 5 enterprises or more only
-- (score.filter_options): an option list is an aggregate too.
-- Read from option_groups / module_option_groups: a few thousand rows of figures_by_group at any size, or with two
-- or more modules a count of the enterprises (score/sql/schema.sql). All facets in one statement: a statement costs
-- DuckDB more to plan than these group-bys cost to run (BENCHMARKS.md, "A new session opening a shared link").
WITH g AS MATERIALIZED (
    FROM option_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
)
SELECT 'country' AS facet, country AS value, NULL AS country, sum(enterprises)::BIGINT AS enterprises,
       sum(record_keys) AS ckey
FROM g GROUP BY 2 HAVING value IS NOT NULL
UNION ALL
SELECT 'province', province, country, sum(enterprises)::BIGINT, sum(record_keys) FROM g
GROUP BY 2, 3 HAVING province IS NOT NULL
UNION ALL
SELECT 'sector', sector, NULL, sum(enterprises)::BIGINT, sum(record_keys) FROM g GROUP BY 2 HAVING sector IS NOT NULL
UNION ALL
SELECT 'phase', phase, NULL, sum(enterprises)::BIGINT, sum(record_keys) FROM g GROUP BY 2 HAVING phase IS NOT NULL
UNION ALL
SELECT 'partner', partner, NULL, sum(enterprises)::BIGINT, sum(record_keys) FROM g GROUP BY 2 HAVING partner IS NOT NULL
UNION ALL
SELECT 'module', module, NULL, sum(enterprises)::BIGINT, sum(record_keys)
FROM module_option_groups($countries, $provinces, $sectors, $phases, $partners, $year_from, $year_to)
GROUP BY module
ORDER BY facet, value, country
