-- access: reference
-- Outcome indicators as listed in data/reference/indicators.csv: kind (change | share), unit, direction, definition.
-- indicator: the code (so an export names it beside it, indicator_name); unit and definition in English, named in
-- the reader's language in exports (unit_name, definition_name: score.labels.export_labels) and on the page.
SELECT code AS indicator, kind, unit, direction, definition_en AS definition
FROM indicator
ORDER BY rowid
