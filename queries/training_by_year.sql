-- access: aggregate
-- suppress: n_enterprises: deliveries participations people_trained
-- By year of classroom training: enterprises trained, module deliveries, training participations (a person
-- in two modules counts twice) and people trained (distinct estimate) first counted that year
-- (people_trained_added: summed over all years this equals the headline people trained).
WITH t AS (
    SELECT year(classroom_date) AS year, count(DISTINCT enterprise_id) AS n_enterprises, count(*) AS deliveries,
           sum(participants) AS participations
    FROM filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    GROUP BY 1
),
added AS (
    SELECT year(classroom_date) AS year,
           sum(managers_female + managers_male + workers_female + workers_male) AS people_trained
    FROM people_trained_added($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    GROUP BY 1
)
SELECT t.year, t.n_enterprises, t.deliveries, t.participations, coalesce(added.people_trained, 0) AS people_trained
FROM t
LEFT JOIN added USING (year)
ORDER BY t.year
