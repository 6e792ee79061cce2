-- access: aggregate
-- suppress: enterprises: workers_female workers_male workers_reached participations people_trained_female people_trained_male people_trained managers_trained workers_trained module_completions consultation_visits
-- Headline figures for the current filters: one row.
WITH e AS (
    FROM filtered_enterprises($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
),
t AS (
    FROM filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
),
p AS (
    FROM people_trained($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
)
SELECT
    (SELECT count(*) FROM e) AS enterprises,
    (SELECT count(DISTINCT country) FROM e) AS countries,
    (SELECT coalesce(sum(workers_female), 0) FROM e) AS workers_female,
    (SELECT coalesce(sum(workers_male), 0) FROM e) AS workers_male,
    (SELECT coalesce(sum(workers_female + workers_male), 0) FROM e) AS workers_reached,
    (SELECT coalesce(sum(managers_female + managers_male + workers_female + workers_male), 0) FROM t)
        AS participations,
    (SELECT coalesce(sum(managers_female + workers_female), 0) FROM p) AS people_trained_female,
    (SELECT coalesce(sum(managers_male + workers_male), 0) FROM p) AS people_trained_male,
    (SELECT coalesce(sum(managers_female + managers_male + workers_female + workers_male), 0) FROM p)
        AS people_trained,
    (SELECT coalesce(sum(managers_female + managers_male), 0) FROM p) AS managers_trained,
    (SELECT coalesce(sum(workers_female + workers_male), 0) FROM p) AS workers_trained,
    (SELECT count(*) FROM t) AS module_completions,
    (SELECT coalesce(sum(consultation_visits), 0) FROM t) AS consultation_visits
