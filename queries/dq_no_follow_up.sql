-- access: detail
-- Data quality: module deliveries whose enterprise has no follow-up measurement of any indicator yet.
-- months_since says how overdue the follow-up is (a delivery last month is not yet a problem).
SELECT t.country, t.enterprise_id, t.module, t.classroom_date,
       date_diff('month', t.classroom_date, current_date) AS months_since
FROM filtered_training($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) t
WHERE NOT EXISTS (
    SELECT 1 FROM indicator_value v WHERE v.enterprise_id = t.enterprise_id AND v.period = 'follow_up'
)
ORDER BY t.country, t.enterprise_id, t.classroom_date, t.module
