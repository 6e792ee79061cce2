-- access: aggregate
-- suppress: enterprises: share_pct
-- perturb: ckey: count enterprises
-- perturb: total_ckey: count total_enterprises
-- derive: share_pct = 100.0 * enterprises / nullif(total_enterprises, 0)
-- exact: n_modules
-- Enterprises by the number of modules they have taken (of the chosen modules; 0 = none yet), with the share
-- of all enterprises engaged (total_enterprises: the same cell as the overview's enterprises engaged).
WITH n AS (
    SELECT e.enterprise_id, any_value(e.record_key) AS record_key, count(t.module) AS n_modules
    FROM filtered_enterprises($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to) e
    LEFT JOIN filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to) t USING (enterprise_id)
    GROUP BY e.enterprise_id
)
SELECT n_modules, count(*) AS enterprises, 100.0 * count(*) / sum(count(*)) OVER () AS share_pct,
       sum(record_key) % 256 AS ckey, sum(count(*)) OVER () AS total_enterprises,
       sum(sum(record_key)) OVER () % 256 AS total_ckey
FROM n
GROUP BY n_modules
ORDER BY n_modules
