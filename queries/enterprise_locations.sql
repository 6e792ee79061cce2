-- access: detail
-- Enterprise points for the map: one row per enterprise with coordinates, only ever for the viewer's
-- detail countries (the runner passes no others, so the public view gets no rows). At most $max_points
-- rows, a spread-out sample (by a hash of the id) when there are more, so the browser stays fast.
SELECT enterprise_id, name, country, sector, province, city, latitude, longitude,
       workers_female + workers_male AS workers
FROM filtered_enterprises($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
WHERE latitude IS NOT NULL AND longitude IS NOT NULL
ORDER BY hash(enterprise_id), enterprise_id
LIMIT $max_points
