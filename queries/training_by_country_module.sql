-- access: aggregate
-- suppress: deliveries: participations
-- perturb: ckey: count deliveries; sum participations
-- Module deliveries and training participations per country x module.
-- Sums over delivery_groups (score/sql/schema.sql): rows per group of alike enterprises and module written at
-- build time, for every module filter.
SELECT country, delivery_module AS module, sum(deliveries)::BIGINT AS deliveries, sum(participations) AS participations,
       sum(record_keys) AS ckey, max(max_participations) AS max_participations
FROM delivery_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY country, delivery_module
ORDER BY country, module
