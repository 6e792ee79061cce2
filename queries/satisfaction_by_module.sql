-- access: aggregate
-- suppress: n_satisfaction: satisfaction_mean
-- perturb: ckey: count n_satisfaction; sum satisfaction_sum
-- derive: satisfaction_mean = satisfaction_sum / nullif(n_satisfaction, 0)
-- Per module (every module listed, in reference order): the mean of satisfaction_pct (share of participants
-- satisfied) over the deliveries that report it, and how many do (n_satisfaction; the optional column may be
-- empty). Its own query so that a mean over fewer than 5 enterprises is hidden even where the module has more.
SELECT m.code AS module,
       count(t.satisfaction_pct) AS n_satisfaction,
       avg(t.satisfaction_pct) AS satisfaction_mean,
       sum(t.satisfaction_pct) AS satisfaction_sum,
       coalesce(sum(t.record_key) FILTER (WHERE t.satisfaction_pct IS NOT NULL), 0) % 256 AS ckey,
       max(t.satisfaction_pct) AS max_satisfaction_sum
FROM module m
LEFT JOIN filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to) t
       ON t.module = m.code
GROUP BY m.code, m.sort_order
ORDER BY m.sort_order
