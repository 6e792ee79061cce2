-- access: aggregate
-- rows: fixed   (one row per "change" indicator)
-- suppress: n_enterprises: baseline_sum follow_up_sum baseline_mean follow_up_mean change_pct n_improved improved_pct median_change median_change_pct n_without_follow_up
-- perturb: ckey: count n_enterprises; measured baseline_sum follow_up_sum; median median_change median_change_pct
-- perturb: ckey_improved: count n_improved
-- perturb: ckey_without: count n_without_follow_up
-- derive: baseline_mean = baseline_sum / nullif(n_enterprises, 0)
-- derive: follow_up_mean = follow_up_sum / nullif(n_enterprises, 0)
-- derive: change_pct = 100.0 * (follow_up_sum / nullif(baseline_sum, 0) - 1)
-- derive: improved_pct = 100.0 * n_improved / nullif(n_enterprises, 0)
-- Per "change" indicator, over the enterprises with both a baseline and a follow-up (n_enterprises):
-- summed and mean (per enterprise) baseline and follow-up, the relative change of the summed follow-up
-- against the summed baseline (the published definition), share improving (indicator_change.improved),
-- median change per enterprise (in the indicator's unit, and relative), and how many enterprises with a
-- baseline lack a follow-up (excluded from the change, counted here). A median is one enterprise's value (or the
-- mean of two): for the perturbation its own size stands for the largest contribution.
WITH c AS (
    FROM indicator_change($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
)
SELECT
    i.code AS indicator,
    i.direction,
    count(c.follow_up) AS n_enterprises,
    sum(c.baseline) FILTER (WHERE c.follow_up IS NOT NULL) AS baseline_sum,
    sum(c.follow_up) AS follow_up_sum,
    avg(c.baseline) FILTER (WHERE c.follow_up IS NOT NULL) AS baseline_mean,
    avg(c.follow_up) AS follow_up_mean,
    100.0 * (sum(c.follow_up) / nullif(sum(c.baseline) FILTER (WHERE c.follow_up IS NOT NULL), 0) - 1)
        AS change_pct,
    count(*) FILTER (WHERE c.improved) AS n_improved,
    100.0 * count(*) FILTER (WHERE c.improved) / nullif(count(c.follow_up), 0) AS improved_pct,
    median(c.follow_up - c.baseline) AS median_change,
    100.0 * median((c.follow_up - c.baseline) / nullif(c.baseline, 0)) AS median_change_pct,
    count(c.enterprise_id) FILTER (WHERE c.follow_up IS NULL) AS n_without_follow_up,
    coalesce(sum(c.record_key) FILTER (WHERE c.follow_up IS NOT NULL), 0) AS ckey,
    coalesce(sum(c.record_key) FILTER (WHERE c.improved), 0) AS ckey_improved,
    coalesce(sum(c.record_key) FILTER (WHERE c.follow_up IS NULL), 0) AS ckey_without,
    max(c.baseline) FILTER (WHERE c.follow_up IS NOT NULL) AS max_baseline_sum,
    max(c.follow_up) AS max_follow_up_sum,
    abs(median(c.follow_up - c.baseline)) AS max_median_change,
    abs(100.0 * median((c.follow_up - c.baseline) / nullif(c.baseline, 0))) AS max_median_change_pct
FROM indicator i
LEFT JOIN c ON c.indicator = i.code
WHERE i.kind = 'change'
GROUP BY i.code, i.direction
ORDER BY i.code
