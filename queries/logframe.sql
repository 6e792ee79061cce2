-- access: aggregate
-- suppress: none   (programme-level logframe figures per country: no enterprise counts, nothing to suppress)
-- perturb: none   (the same: reported by the programme, not measured on enterprises)
-- exact: target actual female_share
-- Targets and actuals for every logframe indicator, per country in scope, at one reporting date
-- ($period_end) or, when $period_end is NULL, at each country's latest reporting date. Every indicator
-- of the reference list gets a row for every country that reported at that date: an indicator the
-- country did not report has NULL target/actual (status "no data", see score/logframe.py, which
-- defines progress and status). Countries without a report at that date have no rows.
WITH chosen AS (
    SELECT country,
           coalesce(CAST($period_end AS DATE), max(period_end)) AS period_end
    FROM logframe
    WHERE list_contains($countries, country)
    GROUP BY country
    HAVING CAST($period_end AS DATE) IS NULL OR bool_or(period_end = CAST($period_end AS DATE))
)
SELECT
    ch.country,
    i.level,
    i.code AS indicator,
    i.unit,
    i.direction,
    ch.period_end,
    l.target,
    l.actual,
    l.female_share,
    l.comment
FROM chosen ch
CROSS JOIN logframe_indicator i
LEFT JOIN logframe l ON l.country = ch.country AND l.indicator = i.code AND l.period_end = ch.period_end
ORDER BY ch.country, i.code
