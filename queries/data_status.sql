-- access: reference
-- What is loaded: version, build time, and which countries still hold the synthetic demo data set.
SELECT
    max(value) FILTER (WHERE key = 'data_version') AS data_version,
    max(value) FILTER (WHERE key = 'built_at') AS built_at,
    max(value) FILTER (WHERE key = 'is_demo') = 'true' AS is_demo,
    (SELECT count(*) FROM country_dataset WHERE is_demo) AS demo_countries,
    (SELECT count(*) FROM country_dataset) AS loaded_countries,
    (SELECT string_agg(country, ',' ORDER BY country) FROM country_dataset WHERE is_demo) AS demo_country_codes
FROM meta
