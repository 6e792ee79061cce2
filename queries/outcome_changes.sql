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
),
-- Aggregated per indicator first, then joined to the indicator list (an indicator without pairs keeps its row, its
-- counts 0): grouping the pairs by one key, with CASE instead of FILTER, cost ~30% less CPU at x200 than grouping
-- the joined rows by code and direction (BENCHMARKS.md, "A new session ... (server, 2026-12-06)"). The same rows in
-- the same order go into every sum and median, so the figures are the same to the last bit.
a AS (
    SELECT
        c.indicator,
        count(c.follow_up) AS n_enterprises,
        sum(CASE WHEN c.follow_up IS NOT NULL THEN c.baseline END) AS baseline_sum,
        sum(c.follow_up) AS follow_up_sum,
        avg(CASE WHEN c.follow_up IS NOT NULL THEN c.baseline END) AS baseline_mean,
        avg(c.follow_up) AS follow_up_mean,
        count(CASE WHEN c.improved THEN 1 END) AS n_improved,
        median(c.follow_up - c.baseline) AS median_change,
        median((c.follow_up - c.baseline) / nullif(c.baseline, 0)) AS median_change_share,
        count(CASE WHEN c.follow_up IS NULL THEN 1 END) AS n_without_follow_up,  -- enterprise_id is never NULL in c
        sum(CASE WHEN c.follow_up IS NOT NULL THEN c.record_key END) AS ckey,
        sum(CASE WHEN c.improved THEN c.record_key END) AS ckey_improved,
        sum(CASE WHEN c.follow_up IS NULL THEN c.record_key END) AS ckey_without,
        max(CASE WHEN c.follow_up IS NOT NULL THEN c.baseline END) AS max_baseline_sum,
        max(c.follow_up) AS max_follow_up_sum
    FROM c
    GROUP BY c.indicator
)
SELECT
    i.code AS indicator,
    i.direction,
    coalesce(a.n_enterprises, 0) AS n_enterprises,
    a.baseline_sum,
    a.follow_up_sum,
    a.baseline_mean,
    a.follow_up_mean,
    100.0 * (a.follow_up_sum / nullif(a.baseline_sum, 0) - 1) AS change_pct,
    coalesce(a.n_improved, 0) AS n_improved,
    100.0 * coalesce(a.n_improved, 0) / nullif(coalesce(a.n_enterprises, 0), 0) AS improved_pct,
    a.median_change,
    100.0 * a.median_change_share AS median_change_pct,
    coalesce(a.n_without_follow_up, 0) AS n_without_follow_up,
    coalesce(a.ckey, 0) AS ckey,
    coalesce(a.ckey_improved, 0) AS ckey_improved,
    coalesce(a.ckey_without, 0) AS ckey_without,
    a.max_baseline_sum,
    a.max_follow_up_sum,
    abs(a.median_change) AS max_median_change,
    abs(100.0 * a.median_change_share) AS max_median_change_pct
FROM indicator i
LEFT JOIN a ON a.indicator = i.code
WHERE i.kind = 'change'
ORDER BY i.code
