-- access: aggregate
-- suppress: enterprises: workers_reached
-- perturb: ckey: count enterprises; sum workers_reached
-- exact: year
-- Enterprises joining SCORE per year (year of joined_on) and the workers they employed when joining.
-- The cumulative line is drawn from these rows (score.components.cumulative), so it never reveals a hidden year.
SELECT join_year AS year, count(*) AS enterprises, sum(workers) AS workers_reached,
       sum(record_key) AS ckey, max(workers) AS max_workers_reached
FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY join_year
ORDER BY join_year
