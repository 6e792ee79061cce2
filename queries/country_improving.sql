-- access: aggregate
-- rows: fixed   (one row per country in scope)
-- suppress: n_enterprises: n_improving share_pct
-- perturb: ckey: count n_enterprises
-- perturb: ckey_improving: count n_improving
-- derive: share_pct = 100.0 * n_improving / nullif(n_enterprises, 0)
-- Per project country in scope, for one outcome indicator ($indicator): the share of enterprises improving.
-- For a yes/no indicator (kind 'share': good practices adopted, relations improved, cost savings) that is
-- the share answering yes at follow-up; for a 'change' indicator it is the share whose follow-up is better
-- than its baseline (`improved` of indicator_change), over enterprises having both. n_enterprises is the denominator.
WITH s AS (
    SELECT country, enterprise_id, record_key, value = 1 AS improving
    FROM indicator_share($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    WHERE indicator = $indicator
    UNION ALL
    SELECT country, enterprise_id, record_key, improved
    FROM indicator_change($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
    WHERE indicator = $indicator AND follow_up IS NOT NULL
)
SELECT
    c.iso3 AS country,
    count(s.enterprise_id) AS n_enterprises,
    count(*) FILTER (WHERE s.improving) AS n_improving,
    100.0 * count(*) FILTER (WHERE s.improving) / nullif(count(s.enterprise_id), 0) AS share_pct,
    coalesce(sum(s.record_key), 0) AS ckey,
    coalesce(sum(s.record_key) FILTER (WHERE s.improving), 0) AS ckey_improving
FROM country c
LEFT JOIN s ON s.country = c.iso3
WHERE list_contains($countries, c.iso3)
GROUP BY c.iso3
ORDER BY c.iso3
