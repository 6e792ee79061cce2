-- access: detail
-- The training rows as published now, in the columns of the data contract (training.csv), for
-- "Download current data" (score.templates writes them back in upload format). Country staff only ever
-- get their own countries; the caller narrows $countries to one country.
SELECT t.country, t.enterprise_id, t.module, t.classroom_date, t.managers_female, t.managers_male,
       t.workers_female, t.workers_male, t.consultation_visits, t.satisfaction_pct
FROM training t
JOIN filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) e
  USING (enterprise_id)
ORDER BY t.country, t.enterprise_id, t.module
