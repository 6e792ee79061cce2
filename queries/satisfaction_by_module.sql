-- access: aggregate
-- rows: fixed   (one row per module)
-- suppress: n_satisfaction: satisfaction_mean
-- perturb: ckey: count n_satisfaction; measured satisfaction_sum
-- derive: satisfaction_mean = satisfaction_sum / nullif(n_satisfaction, 0)
-- Per module (every module listed, in reference order): the mean of satisfaction_pct (share of participants
-- satisfied) over the deliveries that report it, and how many do (n_satisfaction; the optional column may be
-- empty). Its own query so that a mean over fewer than 5 enterprises is hidden even where the module has more.
-- Sums over delivery_groups (score/sql/schema.sql), for every module filter.
SELECT m.code AS module,
       coalesce(sum(d.n_satisfaction), 0)::BIGINT AS n_satisfaction,
       sum(d.satisfaction_sum) / nullif(sum(d.n_satisfaction), 0) AS satisfaction_mean,
       sum(d.satisfaction_sum) AS satisfaction_sum,
       coalesce(sum(d.satisfaction_record_keys), 0) AS ckey,
       max(d.max_satisfaction) AS max_satisfaction_sum
FROM module m
LEFT JOIN delivery_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) d
       ON d.delivery_module = m.code
GROUP BY m.code, m.sort_order
ORDER BY m.sort_order
