-- access: aggregate
-- suppress: n_enterprises: n_yes share_pct
-- perturb: ckey: count n_enterprises
-- perturb: ckey_yes: count n_yes
-- derive: share_pct = 100.0 * n_yes / nullif(n_enterprises, 0)
-- Share of enterprises answering yes at follow-up, per yes/no indicator (adoption, relations, cost savings).
SELECT
    i.code AS indicator,
    count(s.enterprise_id) AS n_enterprises,
    coalesce(sum(CASE WHEN s.value = 1 THEN 1 ELSE 0 END), 0) AS n_yes,
    100.0 * avg(s.value) AS share_pct,
    coalesce(sum(s.record_key), 0) % 256 AS ckey,
    coalesce(sum(s.record_key) FILTER (WHERE s.value = 1), 0) % 256 AS ckey_yes
FROM indicator i
LEFT JOIN indicator_share($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to) s
       ON s.indicator = i.code
WHERE i.kind = 'share'
GROUP BY i.code
ORDER BY i.code
