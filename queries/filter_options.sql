-- access: aggregate
-- suppress: enterprises:
-- perturb: ckey: count enterprises
-- The values every sidebar filter may offer (field: countries, regions, provinces, sectors, phases, partners or
-- modules) and how many enterprises: each field's values with enterprises under the *other* filters (faceted search,
-- score.filter_options). A province is named with its country (two countries may have a province of the same name);
-- a region's rows are the countries found without the region filter. The public sees the values of 5 enterprises or
-- more only (score.filter_options): an option list is an aggregate too.
-- The country and region filters come as $country_filter and $region_countries (the chosen regions' countries),
-- NULL for none, so that $countries can stay the viewer's whole scope and each field leave its own filter out: every
-- field in one statement (a new session ran two or three: a statement costs DuckDB more to plan than these
-- group-bys cost to run; BENCHMARKS.md, "Fewer statements ... (server, 2026-12-06 morning)"). score.filter_options
-- runs it once per field instead where a viewer's figures are exact for some fields and protected for others.
-- Read from option_groups / figures_by_group: a few thousand rows at any size, or with two or more modules a count
-- of the enterprises (score/sql/schema.sql). Each row is unnested into one (field, value) row per field it may count
-- for, `keep` when the other fields' filters pass, and grouped once: six GROUP BY branches over the same rows cost
-- DuckDB ~2-3 ms more to plan at every new session (BENCHMARKS.md, "Fewer expressions to plan (server, session 15)").
WITH g AS (
    SELECT country, province, sector, phase, partner, enterprises, record_keys,
           $country_filter IS NULL OR list_contains($country_filter, country) AS in_countries,
           $region_countries IS NULL OR list_contains($region_countries, country) AS in_regions,
           $provinces IS NULL OR list_contains($provinces, province) AS in_provinces,
           $sectors IS NULL OR list_contains($sectors, sector) AS in_sectors,
           $phases IS NULL OR list_contains($phases, phase) AS in_phases,
           $partners IS NULL OR list_contains($partners, partner) AS in_partners
    FROM option_groups($countries, NULL, NULL, NULL, NULL, $modules, $year_from, $year_to)
),
f AS (
    SELECT unnest(
               [struct_pack(field := 'countries', value := country, country := NULL::VARCHAR,
                             keep := in_regions AND in_provinces AND in_sectors AND in_phases AND in_partners),
                struct_pack(field := 'regions', value := country, country := NULL,
                             keep := in_countries AND in_provinces AND in_sectors AND in_phases AND in_partners),
                struct_pack(field := 'provinces', value := province, country := country,
                             keep := in_countries AND in_regions AND in_sectors AND in_phases AND in_partners),
                struct_pack(field := 'sectors', value := sector, country := NULL,
                             keep := in_countries AND in_regions AND in_provinces AND in_phases AND in_partners),
                struct_pack(field := 'phases', value := phase, country := NULL,
                             keep := in_countries AND in_regions AND in_provinces AND in_sectors AND in_partners),
                struct_pack(field := 'partners', value := partner, country := NULL,
                             keep := in_countries AND in_regions AND in_provinces AND in_sectors AND in_phases)],
               recursive := true), enterprises, record_keys
    FROM g
)
SELECT field, value, country, sum(enterprises)::BIGINT AS enterprises, sum(record_keys) AS ckey
FROM f WHERE keep AND value IS NOT NULL
GROUP BY field, value, country
UNION ALL
SELECT 'modules', module, NULL, sum(enterprises)::BIGINT, sum(record_keys)
FROM module_option_groups(
    list_filter($countries, lambda c: ($country_filter IS NULL OR list_contains($country_filter, c))
                                      AND ($region_countries IS NULL OR list_contains($region_countries, c))),
    $provinces, $sectors, $phases, $partners, $year_from, $year_to
)
GROUP BY module
ORDER BY field, value, country
