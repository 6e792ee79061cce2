-- access: detail
-- The enterprise rows as published now, with the contract's columns, for the upload preview (score.upload
-- compares them with the uploaded file: added, changed, removed). The page narrows $countries to the
-- country being uploaded; country staff only ever get their own countries.
SELECT country, enterprise_id, name, sector, province, city, latitude, longitude,
       workers_female, workers_male, joined_on, phase, partner
FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
ORDER BY country, enterprise_id
