-- access: detail
-- One row per enterprise, for viewers with detail rights (the runner passes only their detail countries), and
-- `listed`: how many enterprises the filters and the search keep (exact, whatever $limit).
-- $search (NULL: everyone) keeps the enterprises whose name, id, city or province contains it as plain text,
-- ignoring case and accents: contains(), not LIKE, so % and _ are characters like any other. $limit: the page's rows
-- (components.LIST_ROWS), NULL for the full list of a download.
-- Only ids and the sort key go through the count and the top-$limit; the page's columns are read for those rows
-- alone (counting a CTE of every column materialised it: 110 -> 43 ms CPU for 1,000 of 300,000 rows).
WITH found AS (
    SELECT enterprise_id, country
    FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    WHERE $search IS NULL
       OR contains(lower(strip_accents(name)), lower(strip_accents($search)))
       OR contains(lower(enterprise_id), lower($search))
       OR contains(lower(strip_accents(coalesce(city, ''))), lower(strip_accents($search)))
       OR contains(lower(strip_accents(coalesce(province, ''))), lower(strip_accents($search)))
)
SELECT enterprise_id, name, country, sector, province, city, workers, workers_female, workers_male,
       size_class_of(workers) AS size_class, joined_on, phase, partner,
       (SELECT count(*) FROM found) AS listed
FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
WHERE enterprise_id IN (SELECT enterprise_id FROM found ORDER BY country, enterprise_id LIMIT $limit)
ORDER BY country, enterprise_id
