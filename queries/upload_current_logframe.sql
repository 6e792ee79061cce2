-- access: detail
-- The logframe rows as published now, in the columns of the data contract (logframe.csv), for
-- "Download current data". Country staff only ever get their own countries.
SELECT country, level, indicator, period_end, target, actual, female_share, comment
FROM logframe
WHERE list_contains($countries, country)
ORDER BY country, period_end, indicator
