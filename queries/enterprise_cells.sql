-- access: detail
-- Enterprise locations for the map, gathered in square cells of the Web Mercator plane: one row per cell with
-- enterprises in it, only ever for the viewer's detail countries (the runner passes no others, so the public view
-- gets no rows). $cell is the cell's side as a share of the world's width (the page picks it for the zoom it
-- shows: a few pixels on screen), so the map draws a few thousand circles at most however many enterprises
-- there are. A cell on a border is split by country (each row is one country's). Per cell: how many enterprises, where they are (mean position), the most common sector (ties:
-- the first code) and how many enterprises have it, the workers they reached, and the enterprise's name and
-- place when the cell holds one enterprise, the place when all share it.
WITH e AS (
    SELECT country, name, sector, province, city, latitude, longitude, workers_female + workers_male AS workers,
           floor((longitude + 180) / 360 / $cell)::BIGINT AS cx,
           floor((0.5 - ln(tan(pi() / 4 + radians(greatest(least(latitude, 85), -85)) / 2)) / (2 * pi()))
                 / $cell)::BIGINT AS cy
    FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    WHERE latitude IS NOT NULL AND longitude IS NOT NULL
),
by_sector AS (
    SELECT country, cx, cy, sector, count(*) AS n FROM e GROUP BY country, cx, cy, sector
),
top AS (
    SELECT country, cx, cy, first(sector ORDER BY n DESC, sector) AS sector, max(n) AS sector_enterprises,
           count(*) AS sectors
    FROM by_sector
    GROUP BY country, cx, cy
),
cells AS (
    SELECT country, cx, cy, count(*) AS enterprises, avg(latitude) AS latitude, avg(longitude) AS longitude,
           sum(workers) AS workers,
           CASE WHEN count(*) = 1 THEN any_value(name) END AS name,
           CASE WHEN count(DISTINCT coalesce(city, '')) = 1 THEN any_value(city) END AS city,
           CASE WHEN count(DISTINCT coalesce(province, '')) = 1 THEN any_value(province) END AS province
    FROM e
    GROUP BY country, cx, cy
)
SELECT c.country, round(c.latitude, 5) AS latitude, round(c.longitude, 5) AS longitude, c.enterprises, t.sector,
       t.sector_enterprises, t.sectors, c.workers, c.name, c.city, c.province
FROM cells c
JOIN top t USING (country, cx, cy)
ORDER BY c.enterprises DESC, c.country, c.cx, c.cy  -- the largest first: smaller circles are drawn on top of them
LIMIT $max_cells
