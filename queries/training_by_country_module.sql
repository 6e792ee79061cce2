-- access: aggregate
-- suppress: deliveries: participations
-- suppress-by: country module   (rows add up to per-country and per-module totals shown elsewhere)
-- Module deliveries and training participations per country x module.
SELECT country, module, count(*) AS deliveries, sum(participants) AS participations
FROM filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY country, module
ORDER BY country, module
