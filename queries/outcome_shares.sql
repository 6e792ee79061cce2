-- access: aggregate
-- rows: fixed   (one row per yes/no indicator)
-- suppress: n_enterprises: n_yes share_pct
-- perturb: ckey: count n_enterprises
-- perturb: ckey_yes: count n_yes
-- derive: share_pct = 100.0 * n_yes / nullif(n_enterprises, 0)
-- Share of enterprises answering yes at follow-up, per yes/no indicator (adoption, relations, cost savings).
-- Sums over share_groups (score/sql/schema.sql): rows written at build time per group of alike enterprises and
-- indicator, unless two or more modules are chosen.
SELECT
    i.code AS indicator,
    coalesce(sum(s.n_enterprises), 0)::BIGINT AS n_enterprises,
    coalesce(sum(s.n_yes), 0) AS n_yes,
    100.0 * (sum(s.value_sum) / nullif(sum(s.value_n), 0)) AS share_pct,
    coalesce(sum(s.record_keys), 0) AS ckey,
    coalesce(sum(s.record_keys_yes), 0) AS ckey_yes
FROM indicator i
LEFT JOIN share_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) s
       ON s.indicator = i.code
WHERE i.kind = 'share'
GROUP BY i.code
ORDER BY i.code
