-- access: aggregate
-- rows: fixed   (one row per country in scope)
-- suppress: enterprises: workers_reached workers_female workers_male people_trained module_completions
-- perturb: ckey: count enterprises module_completions; sum workers_reached workers_female workers_male people_trained
-- One row per project country in the viewer's scope (narrowed by the filters), for the map: the headline
-- figures of country_figures (score/sql/schema.sql), with 0 for countries where nothing matches the filters.
SELECT
    c.iso3 AS country,
    coalesce(f.enterprises, 0) AS enterprises,
    coalesce(f.workers_reached, 0) AS workers_reached,
    coalesce(f.workers_female, 0) AS workers_female,
    coalesce(f.workers_male, 0) AS workers_male,
    coalesce(f.people_trained, 0) AS people_trained,
    coalesce(f.module_completions, 0) AS module_completions,
    coalesce(f.ckey, 0) AS ckey, f.max_workers_reached, f.max_workers_female, f.max_workers_male,
    f.max_people_trained
FROM country c
LEFT JOIN country_figures($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) f
       ON f.country = c.iso3
WHERE list_contains($countries, c.iso3)
ORDER BY c.iso3
