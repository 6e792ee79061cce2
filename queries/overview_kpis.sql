-- access: aggregate
-- suppress: enterprises: workers_female workers_male workers_reached participations people_trained_female people_trained_male people_trained managers_trained workers_trained module_completions consultation_visits workers_female_pct people_trained_female_pct
-- Headline figures for the current filters: one row, the sum of country_figures (score/sql/schema.sql).
SELECT
    coalesce(sum(enterprises), 0) AS enterprises,
    count(*) AS countries,
    coalesce(sum(workers_female), 0) AS workers_female,
    coalesce(sum(workers_male), 0) AS workers_male,
    coalesce(sum(workers_reached), 0) AS workers_reached,
    coalesce(sum(participations), 0) AS participations,
    coalesce(sum(people_trained_female), 0) AS people_trained_female,
    coalesce(sum(people_trained_male), 0) AS people_trained_male,
    coalesce(sum(people_trained), 0) AS people_trained,
    coalesce(sum(managers_trained), 0) AS managers_trained,
    coalesce(sum(workers_trained), 0) AS workers_trained,
    coalesce(sum(module_completions), 0) AS module_completions,
    coalesce(sum(consultation_visits), 0) AS consultation_visits,
    100.0 * sum(workers_female) / nullif(sum(workers_reached), 0) AS workers_female_pct,
    100.0 * sum(people_trained_female) / nullif(sum(people_trained), 0) AS people_trained_female_pct
FROM country_figures($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
