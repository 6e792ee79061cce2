-- access: aggregate
-- suppress: n_enterprises: baseline_sum follow_up_sum change_pct n_improved improved_pct median_change_pct n_without_follow_up
-- Per "change" indicator: relative change of the summed follow-up against the summed baseline over
-- enterprises with both (the published definition), share improving, median change, n, and how many
-- enterprises with a baseline lack a follow-up (excluded from the change, counted here).
WITH c AS (
    FROM indicator_change($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
)
SELECT
    i.code AS indicator,
    i.direction,
    count(c.follow_up) AS n_enterprises,
    sum(c.baseline) FILTER (WHERE c.follow_up IS NOT NULL) AS baseline_sum,
    sum(c.follow_up) AS follow_up_sum,
    100.0 * (sum(c.follow_up) / nullif(sum(c.baseline) FILTER (WHERE c.follow_up IS NOT NULL), 0) - 1)
        AS change_pct,
    count(*) FILTER (WHERE c.follow_up IS NOT NULL AND
        CASE WHEN i.direction = 'lower' THEN c.follow_up < c.baseline ELSE c.follow_up > c.baseline END)
        AS n_improved,
    100.0 * count(*) FILTER (WHERE c.follow_up IS NOT NULL AND
        CASE WHEN i.direction = 'lower' THEN c.follow_up < c.baseline ELSE c.follow_up > c.baseline END)
        / nullif(count(c.follow_up), 0) AS improved_pct,
    100.0 * median((c.follow_up - c.baseline) / nullif(c.baseline, 0)) AS median_change_pct,
    count(c.enterprise_id) FILTER (WHERE c.follow_up IS NULL) AS n_without_follow_up
FROM indicator i
LEFT JOIN c ON c.indicator = i.code
WHERE i.kind = 'change'
GROUP BY i.code, i.direction
ORDER BY i.code
