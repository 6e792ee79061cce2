-- access: aggregate
-- rows: fixed   (one row, whatever the filters)
-- suppress: enterprises: countries workers_female workers_male workers_reached participations people_trained_female people_trained_male people_trained managers_trained workers_trained module_completions consultation_visits workers_female_pct people_trained_female_pct
-- perturb: ckey: count enterprises module_completions; sum workers_female workers_male workers_reached participations consultation_visits people_trained_female people_trained_male managers_trained workers_trained people_trained
-- derive: workers_female_pct = 100.0 * workers_female / nullif(workers_reached, 0)
-- derive: people_trained_female_pct = 100.0 * people_trained_female / nullif(people_trained, 0)
-- exact: countries   (how many countries the filters cover; hidden with the row: it would tell 0 from 1-4)
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
    100.0 * sum(people_trained_female) / nullif(sum(people_trained), 0) AS people_trained_female_pct,
    -- the total's cell key and largest contributions, from its rows (score/disclosure.py)
    coalesce(sum(ckey), 0) AS ckey,
    max(max_workers_female) AS max_workers_female, max(max_workers_male) AS max_workers_male,
    max(max_workers_reached) AS max_workers_reached, max(max_participations) AS max_participations,
    max(max_consultation_visits) AS max_consultation_visits, max(max_people_trained_female) AS max_people_trained_female,
    max(max_people_trained_male) AS max_people_trained_male, max(max_managers_trained) AS max_managers_trained,
    max(max_workers_trained) AS max_workers_trained, max(max_people_trained) AS max_people_trained
FROM country_figures($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
