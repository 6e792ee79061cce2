-- access: aggregate
-- suppress: enterprises: workers_reached
-- perturb: ckey: count enterprises; sum workers_reached
-- order: enterprises desc, partner   (again over the figures as shown: db.py)
-- Enterprises engaged and workers reached (headcount when joining) per implementing partner.
-- Enterprises without a partner are counted under partner NULL.
-- Summed over the groups of alike enterprises (figure_groups: a few hundred rows, not every enterprise).
SELECT partner, sum(enterprises)::BIGINT AS enterprises, sum(workers) AS workers_reached,
       sum(record_keys) AS ckey, max(max_workers) AS max_workers_reached
FROM figure_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY partner
ORDER BY enterprises DESC, partner NULLS LAST
