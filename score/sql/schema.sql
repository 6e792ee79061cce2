-- The consolidated SCORE database: typed tables, then the derived measures, defined once.
-- Every named query in queries/*.sql reads through the filter macros below, so filter semantics
-- (and the country scope passed in as `countries`) live in exactly one place.

CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE country (
    iso3 VARCHAR PRIMARY KEY, name_en VARCHAR, name_fr VARCHAR, name_es VARCHAR, region VARCHAR,
    centroid_lat DOUBLE, centroid_lon DOUBLE, min_lat DOUBLE, min_lon DOUBLE, max_lat DOUBLE, max_lon DOUBLE
);
CREATE TABLE sector (code VARCHAR PRIMARY KEY, name_en VARCHAR, name_fr VARCHAR, name_es VARCHAR);
CREATE TABLE module (code VARCHAR PRIMARY KEY, sort_order INTEGER, core BOOLEAN,
    name_en VARCHAR, name_fr VARCHAR, name_es VARCHAR);
CREATE TABLE indicator (code VARCHAR PRIMARY KEY, kind VARCHAR, unit VARCHAR, direction VARCHAR,
    name_en VARCHAR, name_fr VARCHAR, name_es VARCHAR, definition_en VARCHAR);
CREATE TABLE logframe_indicator (code VARCHAR PRIMARY KEY, level VARCHAR, unit VARCHAR, direction VARCHAR,
    name_en VARCHAR, name_fr VARCHAR, name_es VARCHAR);
CREATE TABLE target (country VARCHAR, phase VARCHAR, metric VARCHAR, target DOUBLE);
CREATE TABLE funding (country VARCHAR, phase VARCHAR, donor VARCHAR, start_date DATE, end_date DATE);

CREATE TABLE enterprise (
    country VARCHAR NOT NULL, enterprise_id VARCHAR PRIMARY KEY, name VARCHAR, sector VARCHAR NOT NULL,
    province VARCHAR, city VARCHAR, latitude DOUBLE, longitude DOUBLE,
    workers_female INTEGER NOT NULL, workers_male INTEGER NOT NULL, joined_on DATE NOT NULL,
    join_year INTEGER NOT NULL, phase VARCHAR NOT NULL, partner VARCHAR
);
CREATE TABLE training (
    country VARCHAR NOT NULL, enterprise_id VARCHAR NOT NULL, module VARCHAR NOT NULL, classroom_date DATE,
    managers_female INTEGER, managers_male INTEGER, workers_female INTEGER, workers_male INTEGER,
    consultation_visits INTEGER, satisfaction_pct DOUBLE
);
CREATE TABLE indicator_value (
    country VARCHAR NOT NULL, enterprise_id VARCHAR NOT NULL, indicator VARCHAR NOT NULL,
    period VARCHAR NOT NULL, measured_on DATE, value DOUBLE
);
CREATE TABLE logframe (
    country VARCHAR NOT NULL, level VARCHAR, indicator VARCHAR NOT NULL, period_end DATE NOT NULL,
    target DOUBLE, actual DOUBLE, female_share DOUBLE, comment VARCHAR
);
-- One row per country dataset in this version: where it came from and whether it is demo data.
CREATE TABLE country_dataset (
    country VARCHAR PRIMARY KEY, is_demo BOOLEAN, enterprises INTEGER, training_rows INTEGER,
    indicator_rows INTEGER, logframe_rows INTEGER, source_sha256 VARCHAR
);
CREATE TABLE load_log (
    country VARCHAR, file VARCHAR, sha256 VARCHAR, rows INTEGER, loaded_at TIMESTAMP
);

-- Filters. NULL means "no filter" for every list except `countries`: a NULL or empty country list
-- returns nothing, so a missing scope fails closed.
CREATE MACRO filtered_enterprises(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT e.*
    FROM enterprise e
    WHERE list_contains(countries, e.country)
      AND (sectors IS NULL OR list_contains(sectors, e.sector))
      AND (phases IS NULL OR list_contains(phases, e.phase))
      AND (partners IS NULL OR list_contains(partners, e.partner))
      AND e.join_year BETWEEN year_from AND year_to
      AND (modules IS NULL OR EXISTS (
            SELECT 1 FROM training t WHERE t.enterprise_id = e.enterprise_id AND list_contains(modules, t.module)));

-- Module deliveries of the filtered enterprises, limited to the chosen modules.
CREATE MACRO filtered_training(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT t.*, e.sector, e.phase, e.partner, e.join_year, e.joined_on
    FROM training t
    JOIN filtered_enterprises(countries, sectors, phases, partners, modules, year_from, year_to) e
      USING (enterprise_id)
    WHERE modules IS NULL OR list_contains(modules, t.module);

-- People trained, the conservative distinct estimate: per enterprise, role and sex, the largest
-- classroom group across its modules (someone attending two modules is counted once).
CREATE MACRO people_trained(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT enterprise_id, any_value(country) AS country,
           max(managers_female) AS managers_female, max(managers_male) AS managers_male,
           max(workers_female) AS workers_female, max(workers_male) AS workers_male
    FROM filtered_training(countries, sectors, phases, partners, modules, year_from, year_to)
    GROUP BY enterprise_id;

-- Baseline and follow-up per enterprise for "change" indicators; follow_up is NULL when missing.
CREATE MACRO indicator_change(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT v.enterprise_id, any_value(e.country) AS country, v.indicator, any_value(i.direction) AS direction,
           max(v.value) FILTER (WHERE v.period = 'baseline') AS baseline,
           max(v.value) FILTER (WHERE v.period = 'follow_up') AS follow_up
    FROM indicator_value v
    JOIN filtered_enterprises(countries, sectors, phases, partners, modules, year_from, year_to) e
      USING (enterprise_id)
    JOIN indicator i ON i.code = v.indicator AND i.kind = 'change'
    GROUP BY v.enterprise_id, v.indicator
    HAVING baseline IS NOT NULL;

-- Follow-up yes/no answers for "share" indicators (adoption, relations, cost savings).
CREATE MACRO indicator_share(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT v.enterprise_id, e.country, v.indicator, v.value
    FROM indicator_value v
    JOIN filtered_enterprises(countries, sectors, phases, partners, modules, year_from, year_to) e
      USING (enterprise_id)
    JOIN indicator i ON i.code = v.indicator AND i.kind = 'share'
    WHERE v.period = 'follow_up';
