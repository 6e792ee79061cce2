-- access: detail
-- The indicator measurements as published now, in the columns of the data contract (indicators.csv), for
-- "Download current data". Country staff only ever get their own countries.
SELECT v.country, v.enterprise_id, v.indicator, v.period, v.measured_on, v.value
FROM indicator_value v
JOIN filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) e
  USING (enterprise_id)
ORDER BY v.country, v.enterprise_id, v.indicator, v.period
