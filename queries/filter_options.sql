-- access: aggregate
-- suppress: enterprises:
-- perturb: ckey: count enterprises
-- The values one sidebar filter may offer ($facet: country, province, sector, phase, partner or module): those with
-- enterprises under the other filters (the caller passes the filters without this one), and how many. A province is
-- named with its country (two countries may have a province of the same name). The public sees the values of 5
-- enterprises or more only (score.filter_options): an option list is an aggregate too.
-- Read from option_groups / module_option_groups: a few thousand rows of figures_by_group at any size, or with two
-- or more modules a count of the enterprises (score/sql/schema.sql).
WITH g AS (
    FROM option_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    WHERE $facet <> 'module'
)
SELECT CASE $facet WHEN 'country' THEN country WHEN 'province' THEN province WHEN 'sector' THEN sector
                   WHEN 'phase' THEN phase WHEN 'partner' THEN partner END AS value,
       CASE WHEN $facet = 'province' THEN country END AS country,
       sum(enterprises)::BIGINT AS enterprises, sum(record_keys) AS ckey
FROM g
GROUP BY 1, 2
HAVING value IS NOT NULL
UNION ALL
SELECT module AS value, NULL AS country, sum(enterprises)::BIGINT AS enterprises, sum(record_keys) AS ckey
FROM module_option_groups($countries, $provinces, $sectors, $phases, $partners, $year_from, $year_to)
WHERE $facet = 'module'
GROUP BY module
ORDER BY value, country
