-- access: aggregate
-- suppress: n_enterprises: deliveries participations people_trained
-- perturb: ckey: count n_enterprises deliveries; sum participations people_trained
-- exact: year
-- By year of classroom training: enterprises trained, module deliveries, training participations (a person
-- in two modules counts twice) and people trained (distinct estimate) first counted that year
-- (people_trained_added: summed over all years this equals the headline people trained).
-- The sums over training_year_groups (score/sql/schema.sql): rows written at build time per group of alike
-- enterprises and year, unless two or more modules are chosen.
SELECT year, sum(n_enterprises)::BIGINT AS n_enterprises, sum(deliveries) AS deliveries,
       sum(participations) AS participations, coalesce(sum(people_trained), 0) AS people_trained,
       sum(record_keys) AS ckey, max(max_participations) AS max_participations,
       max(max_people_trained) AS max_people_trained
FROM training_year_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
GROUP BY year
ORDER BY year
