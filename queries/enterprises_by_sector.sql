-- access: aggregate
-- suppress: enterprises: workers_female workers_male workers_reached
-- perturb: ckey: count enterprises; sum workers_female workers_male workers_reached
-- Enterprises engaged and workers reached (headcount when joining, by sex) per sector.
SELECT sector, count(*) AS enterprises, sum(workers_female) AS workers_female, sum(workers_male) AS workers_male,
       sum(workers) AS workers_reached, sum(record_key) AS ckey, max(workers_female) AS max_workers_female,
       max(workers_male) AS max_workers_male, max(workers) AS max_workers_reached
FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY sector
ORDER BY enterprises DESC, sector
