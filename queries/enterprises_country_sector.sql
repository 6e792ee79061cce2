-- access: aggregate
-- suppress: enterprises: workers_female workers_male workers_reached
-- perturb: ckey: count enterprises; sum workers_female workers_male workers_reached
-- The enterprise table for viewers without detail rights: enterprises and workers reached per country x sector.
-- Summed over the groups of alike enterprises (figure_groups: a few hundred rows, not every enterprise; at x200 ~60 ms
-- less, BENCHMARKS.md "A new session ... (server, 2026-12-06)").
SELECT country, sector, sum(enterprises)::BIGINT AS enterprises, sum(workers_female) AS workers_female,
       sum(workers_male) AS workers_male, sum(workers) AS workers_reached, sum(record_keys) AS ckey,
       max(max_workers_female) AS max_workers_female, max(max_workers_male) AS max_workers_male,
       max(max_workers) AS max_workers_reached
FROM figure_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY country, sector
ORDER BY country, sector
