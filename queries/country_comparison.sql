-- access: aggregate
-- suppress: enterprises: workers_female workers_male workers_reached participations people_trained people_trained_female people_trained_male managers_trained workers_trained module_completions consultation_visits
-- perturb: ckey: count enterprises module_completions; sum workers_female workers_male workers_reached participations consultation_visits people_trained_female people_trained_male managers_trained workers_trained people_trained
-- exact: target_enterprises target_workers_reached target_people_trained   (plans, not data about enterprises)
-- order: enterprises desc, country   (again over the figures as shown: db.py)
-- Headline figures per country (country_figures), with each country's targets summed over the chosen
-- phases (targets are plans, not data about enterprises: they are never suppressed).
WITH goal AS (
    SELECT
        country,
        sum(target) FILTER (WHERE metric = 'enterprises') AS target_enterprises,
        sum(target) FILTER (WHERE metric = 'workers_reached') AS target_workers_reached,
        sum(target) FILTER (WHERE metric = 'people_trained') AS target_people_trained
    FROM target
    WHERE list_contains($countries, country) AND ($phases IS NULL OR list_contains($phases, phase))
    GROUP BY country
)
SELECT f.*, goal.target_enterprises, goal.target_workers_reached, goal.target_people_trained
FROM country_figures($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) f
LEFT JOIN goal USING (country)
ORDER BY f.enterprises DESC, f.country
