-- access: detail
-- Data quality: indicator values that look implausible, for a person to check (not an error):
-- - a follow-up more than 10 times its baseline (the same rule the upload validator warns about);
-- - a robust z-score |0.6745 (x - median) / MAD| above 3.5 (Iglewicz & Hoaglin) among the values of the same
--   country, indicator and period, for "change" indicators with at least 5 values and a non-zero spread.
--   x = ln(1 + value): accidents, kWh and percentages are right-skewed, and on the raw scale every large
--   enterprise would be flagged; on the log scale only values far out of line with their peers are.
WITH v AS (
    SELECT v.country, v.enterprise_id, v.indicator, v.period, v.measured_on, v.value,
           ln(1 + greatest(v.value, 0)) AS x
    FROM indicator_value v
    JOIN filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to) e
      USING (enterprise_id)
    JOIN indicator i ON i.code = v.indicator AND i.kind = 'change'
),
stats AS (
    SELECT country, indicator, period, median(x) AS median_x, median(value) AS median_value, count(x) AS n_values
    FROM v
    GROUP BY country, indicator, period
),
spread AS (
    SELECT v.country, v.indicator, v.period, median(abs(v.x - s.median_x)) AS mad
    FROM v
    JOIN stats s USING (country, indicator, period)
    GROUP BY v.country, v.indicator, v.period
),
scored AS (
    SELECT v.*, s.median_x, s.median_value, s.n_values, d.mad, b.value AS baseline
    FROM v
    JOIN stats s USING (country, indicator, period)
    JOIN spread d USING (country, indicator, period)
    LEFT JOIN indicator_value b
           ON v.period = 'follow_up' AND b.enterprise_id = v.enterprise_id AND b.indicator = v.indicator
          AND b.period = 'baseline'
),
flagged AS (
    SELECT *, CASE WHEN n_values >= 5 AND mad > 0 THEN 0.6745 * (x - median_x) / mad END AS robust_z
    FROM scored
)
SELECT country, enterprise_id, indicator, period, measured_on, value, baseline,
       round(median_value, 2) AS median_value, round(robust_z, 1) AS robust_z,
       CASE WHEN baseline > 0 AND value > 10 * baseline THEN 'follow_up_10x_baseline'
            ELSE 'robust_z_above_3_5' END AS reason
FROM flagged
WHERE (baseline > 0 AND value > 10 * baseline) OR abs(robust_z) > 3.5
ORDER BY country, indicator, enterprise_id, period
