-- access: aggregate
-- suppress: enterprises: workers_reached
-- perturb: ckey: count enterprises; sum workers_reached
-- Enterprises engaged and workers reached (headcount when joining) per implementing partner.
-- Enterprises without a partner are counted under partner NULL.
SELECT partner, count(*) AS enterprises, sum(workers) AS workers_reached,
       sum(record_key) AS ckey, max(workers) AS max_workers_reached
FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY partner
ORDER BY enterprises DESC, partner NULLS LAST
