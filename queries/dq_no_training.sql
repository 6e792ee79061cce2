-- access: detail
-- Data quality: enterprises with no training row at all (joined SCORE, but no module delivery recorded).
SELECT e.country, e.enterprise_id, e.name, e.sector, e.partner, e.joined_on
FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) e
WHERE NOT EXISTS (SELECT 1 FROM training t WHERE t.enterprise_id = e.enterprise_id)
ORDER BY e.country, e.enterprise_id
