-- access: aggregate
-- suppress: none   (programme-level logframe figures per country, as queries/logframe.sql: no enterprise counts)
-- perturb: none   (the same: reported by the programme, not measured on enterprises)
-- exact: target actual female_share
-- The logframe rows as published now, in the columns of the data contract (logframe.csv), for
-- "Download current data"; score.upload runs it only for a country the viewer may upload.
SELECT country, level, indicator, period_end, target, actual, female_share, comment
FROM logframe
WHERE list_contains($countries, country)
ORDER BY country, period_end, indicator
