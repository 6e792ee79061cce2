-- access: aggregate
-- rows: fixed   (one row per metric with a target)
-- suppress: enterprises: actual progress_pct
-- perturb: ckey: count enterprises actual_count; sum actual_sum
-- derive: actual = coalesce(actual_count, actual_sum)
-- derive: progress_pct = 100.0 * actual / nullif(target, 0)
-- exact: target countries_with_target   (plans, not data about enterprises)
-- Progress against targets (data/reference/targets.csv: per country, phase and metric). For each headline
-- metric: the target summed over the countries in view and the chosen phases, the actual for the current
-- filters (country_figures) and the actual as a % of the target. Targets know no sector, partner, module
-- or year, so the page only shows progress when those filters are off. A public number of people hidden as too
-- small (score.disclosure.small_people) leaves `actual` and its progress missing (hidden), never 0.
WITH f AS (
    FROM country_figures($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
),
-- actual_count / actual_sum: the same figure, as a count or a sum, so that each is perturbed as on the overview.
actual AS (
    SELECT 'enterprises' AS metric, sum(enterprises) AS actual, sum(enterprises) AS actual_count,
           CAST(NULL AS HUGEINT) AS actual_sum, CAST(NULL AS INTEGER) AS max_actual_sum
    FROM f
    UNION ALL
    SELECT 'workers_reached', sum(workers_reached), NULL, sum(workers_reached), max(max_workers_reached) FROM f
    UNION ALL
    SELECT 'people_trained', sum(people_trained), NULL, sum(people_trained), max(max_people_trained) FROM f
),
goal AS (
    SELECT metric, sum(target) AS target, count(DISTINCT country) AS countries_with_target
    FROM target
    WHERE list_contains($countries, country) AND ($phases IS NULL OR list_contains($phases, phase))
    GROUP BY metric
)
SELECT
    goal.metric,
    goal.target,
    goal.countries_with_target,
    coalesce(actual.actual, 0) AS actual,
    (SELECT coalesce(sum(enterprises), 0) FROM f) AS enterprises,
    100.0 * coalesce(actual.actual, 0) / nullif(goal.target, 0) AS progress_pct,
    actual.actual_count, actual.actual_sum, actual.max_actual_sum,
    (SELECT coalesce(sum(ckey), 0) FROM f) AS ckey
FROM goal
LEFT JOIN actual USING (metric)
ORDER BY list_position(['enterprises', 'workers_reached', 'people_trained'], goal.metric)
