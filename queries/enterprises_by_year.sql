-- access: aggregate
-- suppress: enterprises: workers_reached
-- perturb: ckey: count enterprises; sum workers_reached
-- exact: year
-- Enterprises joining SCORE per year (year of joined_on) and the workers they employed when joining.
-- The cumulative line is drawn from these rows (score.components.cumulative), so it never reveals a hidden year.
-- Summed over the groups of alike enterprises (figure_groups: a few hundred rows, not every enterprise).
SELECT join_year AS year, sum(enterprises)::BIGINT AS enterprises, sum(workers) AS workers_reached,
       sum(record_keys) AS ckey, max(max_workers) AS max_workers_reached
FROM figure_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY join_year
ORDER BY join_year
