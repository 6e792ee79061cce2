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
-- Enterprise size classes by headcount when joining (workers_female + workers_male); the one definition,
-- used through size_class_of(). Bounds are inclusive; max_workers NULL means "and more".
CREATE TABLE size_class (code VARCHAR PRIMARY KEY, sort_order INTEGER, min_workers INTEGER, max_workers INTEGER);
INSERT INTO size_class VALUES ('micro', 1, 0, 9), ('small', 2, 10, 49), ('medium', 3, 50, 249), ('large', 4, 250, NULL);

CREATE TABLE enterprise (
    country VARCHAR NOT NULL, enterprise_id VARCHAR PRIMARY KEY, name VARCHAR, sector VARCHAR NOT NULL,
    province VARCHAR, city VARCHAR, latitude DOUBLE, longitude DOUBLE,
    workers_female INTEGER NOT NULL, workers_male INTEGER NOT NULL, joined_on DATE NOT NULL,
    join_year INTEGER NOT NULL, phase VARCHAR NOT NULL, partner VARCHAR,
    record_key SMALLINT NOT NULL  -- 0..255, secret (score/disclosure.py): cell key = sum over a cell's enterprises
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
    SELECT e.*, e.workers_female + e.workers_male AS workers  -- headcount when joining; summed = workers reached
    FROM enterprise e
    WHERE list_contains(countries, e.country)
      AND (sectors IS NULL OR list_contains(sectors, e.sector))
      AND (phases IS NULL OR list_contains(phases, e.phase))
      AND (partners IS NULL OR list_contains(partners, e.partner))
      AND e.join_year BETWEEN year_from AND year_to
      -- An uncorrelated IN, not a correlated EXISTS: DuckDB then builds one hash table of the enterprises with a
      -- chosen module instead of de-duplicating the outer rows first; 2-3x faster with a module filter at
      -- 300k enterprises (BENCHMARKS.md). Same rows: enterprise_id is never NULL.
      AND (modules IS NULL OR e.enterprise_id IN (
            SELECT t.enterprise_id FROM training t WHERE list_contains(modules, t.module)));

-- Module deliveries of the filtered enterprises, limited to the chosen modules.
CREATE MACRO filtered_training(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT t.*, e.sector, e.phase, e.partner, e.join_year, e.joined_on, e.record_key,
           -- people in this delivery's classroom; summed = training participations (two modules count twice)
           t.managers_female + t.managers_male + t.workers_female + t.workers_male AS participants
    FROM training t
    JOIN filtered_enterprises(countries, sectors, phases, partners, modules, year_from, year_to) e
      USING (enterprise_id)
    WHERE modules IS NULL OR list_contains(modules, t.module);

-- People trained, the conservative distinct estimate: per enterprise, role and sex, the largest
-- classroom group across its modules (someone attending two modules is counted once).
CREATE MACRO people_trained(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT enterprise_id, any_value(country) AS country, any_value(record_key) AS record_key,
           max(managers_female) AS managers_female, max(managers_male) AS managers_male,
           max(workers_female) AS workers_female, max(workers_male) AS workers_male
    FROM filtered_training(countries, sectors, phases, partners, modules, year_from, year_to)
    GROUP BY enterprise_id;

-- Baseline and follow-up per enterprise for "change" indicators; follow_up is NULL when missing.
-- `improved`: the follow-up moved in the indicator's better direction (NULL without a follow-up).
CREATE MACRO indicator_change(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT *,
           CASE WHEN follow_up IS NULL THEN NULL
                WHEN direction = 'lower' THEN follow_up < baseline
                ELSE follow_up > baseline END AS improved
    FROM (
        SELECT v.enterprise_id, any_value(e.country) AS country, any_value(e.record_key) AS record_key,
               v.indicator, any_value(i.direction) AS direction,
               max(v.value) FILTER (WHERE v.period = 'baseline') AS baseline,
               max(v.value) FILTER (WHERE v.period = 'follow_up') AS follow_up
        FROM indicator_value v
        JOIN filtered_enterprises(countries, sectors, phases, partners, modules, year_from, year_to) e
          USING (enterprise_id)
        JOIN indicator i ON i.code = v.indicator AND i.kind = 'change'
        GROUP BY v.enterprise_id, v.indicator
        HAVING baseline IS NOT NULL
    );

-- Follow-up yes/no answers for "share" indicators (adoption, relations, cost savings).
CREATE MACRO indicator_share(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT v.enterprise_id, e.country, e.record_key, v.indicator, v.value
    FROM indicator_value v
    JOIN filtered_enterprises(countries, sectors, phases, partners, modules, year_from, year_to) e
      USING (enterprise_id)
    JOIN indicator i ON i.code = v.indicator AND i.kind = 'share'
    WHERE v.period = 'follow_up';

CREATE MACRO size_class_of(workers) AS (
    SELECT code FROM size_class WHERE workers >= min_workers AND (max_workers IS NULL OR workers <= max_workers)
);

-- The headline figures per country for the filtered enterprises (enterprises engaged, workers reached by sex,
-- module completions, training participations, consultation visits, people trained by role and sex).
-- Totals are sums over these rows; every page and the map read them from here.
-- Disclosure control (score/disclosure.py): `ckey` is the cell key of the country's filtered enterprises (sum
-- of their record keys mod 256; a total's key is the sum of its rows' keys mod 256), `max_<figure>` the
-- largest contribution of one enterprise to that figure (a total's is the largest of its rows').
CREATE MACRO country_figures(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    WITH e AS (
        SELECT country, count(*) AS enterprises,
               sum(workers_female) AS workers_female, sum(workers_male) AS workers_male, sum(workers) AS workers,
               sum(record_key) % 256 AS ckey, max(workers_female) AS max_workers_female,
               max(workers_male) AS max_workers_male, max(workers) AS max_workers
        FROM filtered_enterprises(countries, sectors, phases, partners, modules, year_from, year_to)
        GROUP BY country
    ),
    t AS (
        SELECT country, sum(deliveries) AS module_completions,
               sum(participations) AS participations, sum(consultation_visits) AS consultation_visits,
               max(participations) AS max_participations, max(consultation_visits) AS max_consultation_visits
        FROM (
            SELECT country, enterprise_id, count(*) AS deliveries, sum(participants) AS participations,
                   sum(consultation_visits) AS consultation_visits
            FROM filtered_training(countries, sectors, phases, partners, modules, year_from, year_to)
            GROUP BY country, enterprise_id
        )
        GROUP BY country
    ),
    p AS (
        SELECT country,
               sum(managers_female) AS managers_female, sum(managers_male) AS managers_male,
               sum(workers_female) AS trained_workers_female, sum(workers_male) AS trained_workers_male,
               max(managers_female + workers_female) AS max_people_trained_female,
               max(managers_male + workers_male) AS max_people_trained_male,
               max(managers_female + managers_male) AS max_managers_trained,
               max(workers_female + workers_male) AS max_workers_trained,
               max(managers_female + managers_male + workers_female + workers_male) AS max_people_trained
        FROM people_trained(countries, sectors, phases, partners, modules, year_from, year_to)
        GROUP BY country
    )
    SELECT e.country, e.enterprises,
           e.workers_female, e.workers_male, e.workers AS workers_reached,
           coalesce(t.module_completions, 0) AS module_completions,
           coalesce(t.participations, 0) AS participations,
           coalesce(t.consultation_visits, 0) AS consultation_visits,
           coalesce(p.managers_female + p.trained_workers_female, 0) AS people_trained_female,
           coalesce(p.managers_male + p.trained_workers_male, 0) AS people_trained_male,
           coalesce(p.managers_female + p.managers_male, 0) AS managers_trained,
           coalesce(p.trained_workers_female + p.trained_workers_male, 0) AS workers_trained,
           coalesce(p.managers_female + p.managers_male + p.trained_workers_female + p.trained_workers_male, 0)
               AS people_trained,
           e.ckey, e.max_workers_female, e.max_workers_male, e.max_workers AS max_workers_reached,
           t.max_participations, t.max_consultation_visits, p.max_people_trained_female,
           p.max_people_trained_male, p.max_managers_trained, p.max_workers_trained, p.max_people_trained
    FROM e LEFT JOIN t USING (country) LEFT JOIN p USING (country);

-- People trained over time, on the same basis as people_trained: walking through an enterprise's deliveries
-- in date order, each adds (per role and sex) how far it raises the largest group so far (a running maximum).
-- Summed over an enterprise this equals people_trained; summed by year it says when people were first counted.
CREATE MACRO people_trained_added(countries, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    -- running maximum up to this delivery minus the one up to the delivery before: one window pass (both frames
    -- share partition and order), not a running max followed by lag() over a second window.
    SELECT enterprise_id, country, module, classroom_date,
           max(managers_female) OVER upto - coalesce(max(managers_female) OVER before, 0) AS managers_female,
           max(managers_male) OVER upto - coalesce(max(managers_male) OVER before, 0) AS managers_male,
           max(workers_female) OVER upto - coalesce(max(workers_female) OVER before, 0) AS workers_female,
           max(workers_male) OVER upto - coalesce(max(workers_male) OVER before, 0) AS workers_male
    FROM filtered_training(countries, sectors, phases, partners, modules, year_from, year_to)
    WINDOW upto AS (PARTITION BY enterprise_id ORDER BY classroom_date, module ROWS UNBOUNDED PRECEDING),
           before AS (PARTITION BY enterprise_id ORDER BY classroom_date, module
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING);
