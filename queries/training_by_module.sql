-- access: aggregate
-- rows: fixed   (one row per module)
-- suppress: deliveries: participations consultation_visits visits_per_delivery median_days_to_classroom
-- perturb: ckey: count deliveries; sum participations consultation_visits
-- exact: median_days_to_classroom   (days from joining to the classroom: timing, not size or results)
-- derive: visits_per_delivery = consultation_visits / nullif(deliveries, 0)
-- Per module (every module listed, in reference order): deliveries (one per enterprise and module), training
-- participations, consultation visits (in total and per delivery), and the median days from the enterprise
-- joining SCORE to the module's classroom training. Satisfaction: satisfaction_by_module (its own n).
SELECT m.code AS module,
       count(t.enterprise_id) AS deliveries,
       coalesce(sum(t.participants), 0) AS participations,
       coalesce(sum(t.consultation_visits), 0) AS consultation_visits,
       avg(t.consultation_visits) AS visits_per_delivery,
       median(t.classroom_date - t.joined_on) AS median_days_to_classroom,
       coalesce(sum(t.record_key), 0) AS ckey,  -- one delivery per enterprise and module
       max(t.participants) AS max_participations, max(t.consultation_visits) AS max_consultation_visits
FROM module m
LEFT JOIN filtered_training($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) t
       ON t.module = m.code
GROUP BY m.code, m.sort_order
ORDER BY m.sort_order
