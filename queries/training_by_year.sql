-- access: aggregate
-- suppress: n_enterprises: deliveries participations people_trained
-- perturb: ckey: count n_enterprises deliveries; sum participations people_trained
-- exact: year
-- By year of classroom training: enterprises trained, module deliveries, training participations (a person
-- in two modules counts twice) and people trained (distinct estimate) first counted that year
-- (people_trained_added: summed over all years this equals the headline people trained).
WITH per_enterprise AS (
    SELECT year(classroom_date) AS year, enterprise_id, any_value(record_key) AS record_key,
           count(*) AS deliveries, sum(participants) AS participations
    FROM filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    GROUP BY 1, 2
),
t AS (
    SELECT year, count(*) AS n_enterprises, sum(deliveries) AS deliveries, sum(participations) AS participations,
           sum(record_key) % 256 AS ckey, max(participations) AS max_participations
    FROM per_enterprise
    GROUP BY year
),
added AS (
    SELECT year, sum(people) AS people_trained, max(people) AS max_people_trained
    FROM (
        SELECT year(classroom_date) AS year, enterprise_id,
               sum(managers_female + managers_male + workers_female + workers_male) AS people
        FROM people_trained_added($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
        GROUP BY 1, 2
    )
    GROUP BY year
)
SELECT t.year, t.n_enterprises, t.deliveries, t.participations, coalesce(added.people_trained, 0) AS people_trained,
       t.ckey, t.max_participations, added.max_people_trained
FROM t
LEFT JOIN added USING (year)
ORDER BY t.year
