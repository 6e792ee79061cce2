-- access: detail
-- Data quality: rows without a usable breakdown by sex: enterprises whose workers_female + workers_male is 0,
-- and module deliveries whose four participant groups (managers/workers, female/male) are all 0.
SELECT country, enterprise_id, 'enterprises' AS source, NULL AS module, NULL AS classroom_date,
       'workers_female + workers_male = 0' AS problem
FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
WHERE workers_female + workers_male = 0
UNION ALL
SELECT country, enterprise_id, 'training' AS source, module, classroom_date,
       'all four participant groups are 0' AS problem
FROM filtered_training($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
WHERE coalesce(managers_female, 0) + coalesce(managers_male, 0) + coalesce(workers_female, 0)
      + coalesce(workers_male, 0) = 0
ORDER BY country, enterprise_id, source, module
