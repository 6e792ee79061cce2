-- access: aggregate
-- suppress: n_enterprises: n_yes share_pct
-- suppress-by: none   (one row per indicator, each over its own enterprises: rows do not add up)
-- Share of enterprises answering yes at follow-up, per yes/no indicator (adoption, relations, cost savings).
SELECT
    i.code AS indicator,
    count(s.enterprise_id) AS n_enterprises,
    coalesce(sum(CASE WHEN s.value = 1 THEN 1 ELSE 0 END), 0) AS n_yes,
    100.0 * avg(s.value) AS share_pct
FROM indicator i
LEFT JOIN indicator_share($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to) s
       ON s.indicator = i.code
WHERE i.kind = 'share'
GROUP BY i.code
ORDER BY i.code
