-- access: reference
-- What is loaded: version, build time and whether the data set is the synthetic demo.
SELECT
    max(value) FILTER (WHERE key = 'data_version') AS data_version,
    max(value) FILTER (WHERE key = 'built_at') AS built_at,
    max(value) FILTER (WHERE key = 'is_demo') = 'true' AS is_demo,
    (SELECT count(*) FROM country_dataset WHERE is_demo) AS demo_countries,
    (SELECT count(*) FROM country_dataset) AS loaded_countries
FROM meta
