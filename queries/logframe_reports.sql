-- access: aggregate
-- suppress: none   (programme-level logframe figures per country: no enterprise counts, nothing to suppress)
-- perturb: none   (the same: reported by the programme, not measured on enterprises)
-- exact: indicators_reported actuals_reported
-- Reporting dates of the logframe: one row per country in scope and period_end, with how many
-- indicators were reported (for the reporting-date chooser and the "not reported" note).
SELECT country, period_end, count(*) AS indicators_reported, count(actual) AS actuals_reported
FROM logframe
WHERE list_contains($countries, country)
GROUP BY country, period_end
ORDER BY period_end, country
