-- access: reference
-- Outcome indicators as listed in data/reference/indicators.csv: kind (change | share), unit, direction, definition.
SELECT code, kind, unit, direction, definition_en
FROM indicator
ORDER BY rowid
