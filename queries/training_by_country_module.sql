-- access: aggregate
-- suppress: deliveries: participations
-- perturb: ckey: count deliveries; sum participations
-- Module deliveries and training participations per country x module.
SELECT country, module, count(*) AS deliveries, sum(participants) AS participations,
       sum(record_key) % 256 AS ckey, max(participants) AS max_participations
FROM filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY country, module
ORDER BY country, module
