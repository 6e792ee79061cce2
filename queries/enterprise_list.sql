-- access: detail
-- One row per enterprise, for viewers with detail rights (the runner passes only their detail countries).
-- At most 50,001 rows (components.DETAIL_ROWS + 1): the page shows 50,000 and asks to narrow the filters.
SELECT enterprise_id, name, country, sector, province, city, workers, workers_female, workers_male,
       size_class_of(workers) AS size_class, joined_on, phase, partner
FROM filtered_enterprises($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
ORDER BY country, enterprise_id
LIMIT 50001
