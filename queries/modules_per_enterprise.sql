-- access: aggregate
-- suppress: enterprises: share_pct
-- perturb: ckey: count enterprises
-- perturb: total_ckey: count total_enterprises
-- derive: share_pct = 100.0 * enterprises / nullif(total_enterprises, 0)
-- exact: n_modules
-- Enterprises by the number of modules they have taken (of the chosen modules; 0 = none yet), with the share
-- of all enterprises engaged (total_enterprises: the same cell as the overview's enterprises engaged).
-- Sums over modules_taken_groups (score/sql/schema.sql): rows written at build time per group of alike enterprises,
-- unless two or more modules are chosen.
WITH n AS (
    SELECT n_modules, sum(enterprises)::BIGINT AS enterprises, sum(record_keys) AS record_keys
    FROM modules_taken_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    GROUP BY n_modules
)
SELECT n_modules, enterprises, 100.0 * enterprises / sum(enterprises) OVER () AS share_pct,
       record_keys AS ckey, sum(enterprises) OVER () AS total_enterprises,
       sum(record_keys) OVER () AS total_ckey
FROM n
ORDER BY n_modules
