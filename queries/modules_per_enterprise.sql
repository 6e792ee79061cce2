-- access: aggregate
-- suppress: enterprises: share_pct
-- Enterprises by the number of modules they have taken (of the chosen modules; 0 = none yet), with the share
-- of all enterprises engaged.
WITH n AS (
    SELECT e.enterprise_id, count(t.module) AS n_modules
    FROM filtered_enterprises($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to) e
    LEFT JOIN filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to) t USING (enterprise_id)
    GROUP BY e.enterprise_id
)
SELECT n_modules, count(*) AS enterprises, 100.0 * count(*) / sum(count(*)) OVER () AS share_pct
FROM n
GROUP BY n_modules
ORDER BY n_modules
