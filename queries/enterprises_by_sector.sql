-- access: aggregate
-- suppress: enterprises: workers_female workers_male workers_reached
-- perturb: ckey: count enterprises; sum workers_female workers_male workers_reached
-- order: enterprises desc, sector   (again over the figures as shown: db.py)
-- Enterprises engaged and workers reached (headcount when joining, by sex) per sector.
-- Summed over the groups of alike enterprises (figure_groups: a few hundred rows, not every enterprise).
SELECT sector, sum(enterprises)::BIGINT AS enterprises, sum(workers_female) AS workers_female,
       sum(workers_male) AS workers_male, sum(workers) AS workers_reached, sum(record_keys) AS ckey,
       max(max_workers_female) AS max_workers_female, max(max_workers_male) AS max_workers_male,
       max(max_workers) AS max_workers_reached
FROM figure_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY sector
ORDER BY enterprises DESC, sector
