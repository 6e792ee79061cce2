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

-- Derived per-enterprise tables, written once per version by score.build after the data are loaded
-- (INSERT INTO <table> FROM <table>_of(countries), the macros at the end of this file). Each holds a result that
-- does not depend on the enterprise filters (country, province, sector, phase, partner and year select whole
-- enterprises), so the measure macros join them to filtered_enterprises(...) instead of recomputing them on every
-- view. A module filter changes which deliveries count: the macros then compute from the deliveries as before.
-- Per enterprise with deliveries: its deliveries, participations, visits and the largest group per role and sex.
CREATE TABLE enterprise_training (
    enterprise_id VARCHAR PRIMARY KEY, country VARCHAR NOT NULL, module_completions BIGINT,
    participations BIGINT, consultation_visits BIGINT,
    managers_female INTEGER, managers_male INTEGER, workers_female INTEGER, workers_male INTEGER,
    -- training participations (people in its classrooms summed over deliveries) per role and sex
    participations_managers_female BIGINT, participations_managers_male BIGINT,
    participations_workers_female BIGINT, participations_workers_male BIGINT
);
-- The *_by_group tables: per group of enterprises alike in every enterprise filter (country, province, sector,
-- phase, partner, year joined) and `module` (NULL: every delivery counts, as without a module filter; a module code: as
-- under a filter on that one module), figures that add up over groups. A view without a module filter or with one
-- module adds up a few thousand of these rows instead of joining 300,000 enterprises and 745,000 deliveries; a
-- filter on two or more modules computes the same rows from the deliveries (figure_groups and its siblings).
-- figures_by_group: the headline figures of country_figures and people trained by role and sex (people trained is
-- a sum of per-enterprise maxima, so it adds up).
CREATE TABLE figures_by_group (
    country VARCHAR NOT NULL, module VARCHAR, province VARCHAR, sector VARCHAR, phase VARCHAR, partner VARCHAR, join_year INTEGER,
    enterprises BIGINT, workers_female HUGEINT, workers_male HUGEINT, workers HUGEINT,
    module_completions HUGEINT, participations HUGEINT, consultation_visits HUGEINT,
    managers_female HUGEINT, managers_male HUGEINT, trained_workers_female HUGEINT, trained_workers_male HUGEINT,
    -- for disclosure control (score/disclosure.py): the sum of the group's record keys (a cell key is such a sum
    -- mod 256; in schema noisy its high bits are the fixed count offset) and the largest contribution of one
    -- enterprise to each figure
    record_keys HUGEINT, max_workers_female INTEGER, max_workers_male INTEGER, max_workers INTEGER,
    max_participations BIGINT, max_consultation_visits BIGINT, max_people_trained_female INTEGER,
    max_people_trained_male INTEGER, max_managers_trained INTEGER, max_workers_trained INTEGER,
    max_people_trained INTEGER,
    -- people trained by role and sex (queries/people_trained_by_role_sex.sql): the enterprises with deliveries and
    -- their record keys, training participations per role and sex, and the largest of one enterprise per figure
    trained_enterprises BIGINT, trained_record_keys HUGEINT,
    participations_managers_female HUGEINT, participations_managers_male HUGEINT,
    participations_workers_female HUGEINT, participations_workers_male HUGEINT,
    max_managers_female INTEGER, max_managers_male INTEGER, max_trained_workers_female INTEGER,
    max_trained_workers_male INTEGER, max_participations_managers_female HUGEINT,
    max_participations_managers_male HUGEINT, max_participations_workers_female HUGEINT,
    max_participations_workers_male HUGEINT
);
-- Per group and year of classroom training (queries/training_by_year.sql): enterprises trained that year, module
-- deliveries, training participations, people trained first counted that year (people_trained_added), the sum of
-- the enterprises' record keys and the largest figures of one enterprise in one year.
CREATE TABLE training_year_by_group (
    country VARCHAR NOT NULL, module VARCHAR, province VARCHAR, sector VARCHAR, phase VARCHAR, partner VARCHAR, join_year INTEGER,
    year BIGINT, n_enterprises BIGINT, deliveries HUGEINT, participations HUGEINT, people_trained HUGEINT,
    record_keys HUGEINT, max_participations HUGEINT, max_people_trained HUGEINT
);
-- Per group and module of the deliveries (queries/training_by_country_module.sql, satisfaction_by_module.sql):
-- deliveries, participations, the record keys of the delivering enterprises (one delivery per enterprise and module),
-- satisfaction where reported, the largest of one delivery. A module filter only narrows which modules' deliveries
-- count here (an enterprise with a delivery of a chosen module has that module), so these rows serve every module
-- filter, with no per-module variant.
CREATE TABLE delivery_by_group (
    country VARCHAR NOT NULL, province VARCHAR, sector VARCHAR, phase VARCHAR, partner VARCHAR, join_year INTEGER,
    delivery_module VARCHAR NOT NULL, deliveries BIGINT, participations HUGEINT, record_keys HUGEINT,
    max_participations INTEGER, n_satisfaction BIGINT, satisfaction_sum DOUBLE, satisfaction_record_keys HUGEINT,
    max_satisfaction DOUBLE
);
-- Per group and number of deliveries of the chosen modules per enterprise (queries/modules_per_enterprise.sql):
-- enterprises and the sum of their record keys (0 = no delivery yet).
CREATE TABLE modules_taken_by_group (
    country VARCHAR NOT NULL, module VARCHAR, province VARCHAR, sector VARCHAR, phase VARCHAR, partner VARCHAR, join_year INTEGER,
    n_modules BIGINT, enterprises BIGINT, record_keys HUGEINT
);
-- Per group and yes/no indicator (queries/outcome_shares.sql): follow-up answers, yeses, the sum and count of the
-- answers (for the share) and the record keys of the enterprises answering and of those answering yes.
CREATE TABLE share_by_group (
    country VARCHAR NOT NULL, module VARCHAR, province VARCHAR, sector VARCHAR, phase VARCHAR, partner VARCHAR, join_year INTEGER,
    indicator VARCHAR NOT NULL, n_enterprises BIGINT, n_yes HUGEINT, value_sum DOUBLE, value_n BIGINT,
    record_keys HUGEINT, record_keys_yes HUGEINT
);
-- Per delivery: how far it raises its enterprise's largest group so far, per role and sex (people_trained_added).
CREATE TABLE delivery_people_added (
    enterprise_id VARCHAR NOT NULL, country VARCHAR NOT NULL, module VARCHAR NOT NULL, classroom_date DATE,
    managers_female INTEGER, managers_male INTEGER, workers_female INTEGER, workers_male INTEGER
);
-- Per delivery (training's columns), its enterprise's filter attributes, joining date and record key, in training's
-- order: stored.filtered_training filters these rows without joining 745,000 deliveries to their enterprises on
-- enterprise_id at x200 (BENCHMARKS.md, "Deliveries with their enterprise's filter columns").
CREATE TABLE delivery (
    country VARCHAR NOT NULL, enterprise_id VARCHAR NOT NULL, module VARCHAR NOT NULL, classroom_date DATE,
    managers_female INTEGER, managers_male INTEGER, workers_female INTEGER, workers_male INTEGER,
    consultation_visits INTEGER, satisfaction_pct DOUBLE,
    province VARCHAR, sector VARCHAR, phase VARCHAR, partner VARCHAR, join_year INTEGER, joined_on DATE,
    record_key SMALLINT
);
-- Per enterprise and "change" indicator with a baseline: baseline and follow-up (NULL when missing), whether it
-- improved (improved_of), and the enterprise's filter attributes, record key and modules (module_bits), so that
-- indicator_change filters these rows without a join.
CREATE TABLE indicator_pair (
    enterprise_id VARCHAR NOT NULL, country VARCHAR NOT NULL, indicator VARCHAR NOT NULL,
    baseline DOUBLE, follow_up DOUBLE,
    province VARCHAR, sector VARCHAR, phase VARCHAR, partner VARCHAR, join_year INTEGER, record_key SMALLINT,
    module_bits BIGINT NOT NULL, improved BOOLEAN
);

-- Filters. NULL means "no filter" for every list except `countries`: a NULL or empty country list
-- returns nothing, so a missing scope fails closed.
-- The enterprise filters, on an enterprise's (or a group of alike enterprises') attributes.
CREATE MACRO enterprise_in(countries, provinces, sectors, phases, partners, year_from, year_to,
                           country, province, sector, phase, partner, join_year) AS (
    list_contains(countries, country)
    AND (provinces IS NULL OR list_contains(provinces, province))
    AND (sectors IS NULL OR list_contains(sectors, sector))
    AND (phases IS NULL OR list_contains(phases, phase))
    AND (partners IS NULL OR list_contains(partners, partner))
    AND join_year BETWEEN year_from AND year_to
);

-- The module filter on enterprises: one with a delivery of a chosen module. An uncorrelated IN, not a correlated
-- EXISTS: DuckDB then builds one hash table of the enterprises with a chosen module instead of de-duplicating the
-- outer rows first; 2-3x faster with a module filter at 300k enterprises (BENCHMARKS.md). Same rows: enterprise_id
-- is never NULL.
CREATE MACRO has_module(modules, enterprise_id) AS (
    modules IS NULL
    OR enterprise_id IN (SELECT t.enterprise_id FROM training t WHERE list_contains(modules, t.module))
);

-- The same filter on a row that carries its enterprise's modules as bits (module_bits_of): arithmetic on the row, not
-- a probe of every row's enterprise_id into the enterprises with a chosen module (~55 ms of indicator_change's 1.4
-- million rows at x200 with one module; BENCHMARKS.md, "Module bits"). Bit i is the module i-th in reference order
-- (module_bit); a code not in the module table has no bit and matches nothing, as it has no delivery.
CREATE MACRO module_bit() AS TABLE
    SELECT code, 1::BIGINT << (row_number() OVER (ORDER BY sort_order, code) - 1)::INTEGER AS bit FROM module;
CREATE MACRO module_bits_of(countries) AS TABLE
    SELECT t.enterprise_id, bit_or(m.bit) AS module_bits
    FROM (SELECT DISTINCT enterprise_id, module FROM training WHERE list_contains(countries, country)) t
    JOIN module_bit() m ON m.code = t.module
    GROUP BY t.enterprise_id;
CREATE MACRO has_module_bit(modules, module_bits) AS (
    modules IS NULL
    OR module_bits & (SELECT bit_or(m.bit) FROM module_bit() m WHERE list_contains(modules, m.code)) <> 0
);

CREATE MACRO filtered_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT e.*, e.workers_female + e.workers_male AS workers  -- headcount when joining; summed = workers reached
    FROM enterprise e
    WHERE enterprise_in(countries, provinces, sectors, phases, partners, year_from, year_to,
                        e.country, e.province, e.sector, e.phase, e.partner, e.join_year)
      AND has_module(modules, e.enterprise_id);

-- Module deliveries of the filtered enterprises, limited to the chosen modules.
CREATE MACRO filtered_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT t.*, e.province, e.sector, e.phase, e.partner, e.join_year, e.joined_on, e.record_key,
           -- people in this delivery's classroom; summed = training participations (two modules count twice)
           t.managers_female + t.managers_male + t.workers_female + t.workers_male AS participants
    FROM training t
    JOIN filtered_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to) e
      USING (enterprise_id)
    WHERE modules IS NULL OR list_contains(modules, t.module);

-- Every delivery with its enterprise's columns (the definition; build time writes it into `delivery` ordered by
-- `delivery_row`, training's own order: a query then sums the same rows in the same order either way).
CREATE MACRO delivery_of(countries) AS TABLE
    SELECT t.rowid AS delivery_row, t.*, e.province, e.sector, e.phase, e.partner, e.join_year, e.joined_on, e.record_key
    FROM training t
    JOIN enterprise e USING (enterprise_id)
    WHERE list_contains(countries, t.country);

-- Scopes: the build writes the *_by_group rows of every single-module filter in one pass, not one pass per module.
-- With by_module false everything is in scope '' (the filters as given); with by_module true each delivery is in the
-- scope of its module and each enterprise in the scope of every module it has a delivery of, so the rows of scope m
-- are those of a filter on module m alone (filtered_enterprises and filtered_training with modules = [m]). The
-- definitions below group by scope; their *_per_group forms are scope '' without the column. An enterprise has at
-- most one delivery of a module (training's key in the contract, enterprise_id and module; score.build checks it
-- before writing the module scopes), so in scope m each enterprise has exactly one delivery: its per-enterprise
-- figures are that delivery's, with no join back to the enterprises and no grouping per enterprise
-- (BENCHMARKS.md, "The module scopes without grouping per enterprise").
CREATE MACRO scoped_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) AS TABLE
    SELECT '' AS scope, e.*
    FROM filtered_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to) e
    WHERE NOT by_module
    UNION ALL
    SELECT m.module AS scope, e.*
    FROM filtered_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to) e
    JOIN training m ON m.enterprise_id = e.enterprise_id
    WHERE by_module AND (modules IS NULL OR list_contains(modules, m.module));
CREATE MACRO scoped_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) AS TABLE
    SELECT CASE WHEN by_module THEN t.module ELSE '' END AS scope, t.*
    FROM filtered_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to) t;

-- Per enterprise with deliveries (of the chosen modules): module completions (one per delivery), training
-- participations (people in its classrooms; two modules count twice), consultation visits, and for people trained
-- (the conservative distinct estimate) the largest classroom group per role and sex across its modules (someone
-- attending two modules is counted once). The definition; build time writes it unfiltered into
-- enterprise_training.
CREATE MACRO training_per_enterprise(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT enterprise_id, any_value(country) AS country, count(*) AS module_completions,
           sum(participants) AS participations, sum(consultation_visits) AS consultation_visits,
           max(managers_female) AS managers_female, max(managers_male) AS managers_male,
           max(workers_female) AS workers_female, max(workers_male) AS workers_male,
           any_value(record_key) AS record_key,
           sum(managers_female) AS participations_managers_female, sum(managers_male) AS participations_managers_male,
           sum(workers_female) AS participations_workers_female, sum(workers_male) AS participations_workers_male
    FROM filtered_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    GROUP BY enterprise_id;

-- The same rows, read from the table written at build time unless a module filter changes which deliveries count
-- (DuckDB runs one branch: the other's condition is false).
CREATE MACRO filtered_enterprise_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT x.enterprise_id, x.country, x.module_completions, x.participations, x.consultation_visits,
           x.managers_female, x.managers_male, x.workers_female, x.workers_male, e.record_key,
           x.participations_managers_female, x.participations_managers_male, x.participations_workers_female,
           x.participations_workers_male
    FROM enterprise_training x
    JOIN filtered_enterprises(countries, provinces, sectors, phases, partners, NULL, year_from, year_to) e USING (enterprise_id)
    WHERE modules IS NULL
    UNION ALL
    SELECT * FROM training_per_enterprise(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    WHERE modules IS NOT NULL;
-- People trained, the conservative distinct estimate: per enterprise, role and sex, the largest
-- classroom group across its modules (someone attending two modules is counted once).
CREATE MACRO people_trained(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT enterprise_id, country, managers_female, managers_male, workers_female, workers_male, record_key
    FROM filtered_enterprise_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to);

-- Whether a follow-up moved in the indicator's better direction (NULL without a follow-up).
CREATE MACRO improved_of(direction, baseline, follow_up) AS (
    CASE WHEN follow_up IS NULL THEN NULL
         WHEN direction = 'lower' THEN follow_up < baseline
         ELSE follow_up > baseline END
);
-- Baseline and follow-up per enterprise for "change" indicators (the definition; build time writes it
-- unfiltered into indicator_pair, ordered by `pair_order`); follow_up is NULL when missing. The enterprises get their
-- module bits first, in a materialised CTE: left to itself, DuckDB joined the 1.4 million pairs to the enterprises and
-- then probed the module bits into a hash table of those pairs (x200: ~1 s of CPU more of ~3 s; the same rows,
-- BENCHMARKS.md). `pair_order` is the order of (enterprise_id, indicator) as one integer (enterprise_id and the
-- indicator code are unique in their tables, so ranking each gives that order): sorting 1.4 million rows on it
-- rather than on the two texts is ~1 s less CPU at x200 (BENCHMARKS.md, "indicator_pair sorted on one integer").
CREATE MACRO indicator_pair_of(countries) AS TABLE
    WITH enterprise_bits AS MATERIALIZED (
        SELECT e.enterprise_id, e.province, e.sector, e.phase, e.partner, e.join_year, e.record_key,
               coalesce(b.module_bits, 0) AS module_bits, row_number() OVER (ORDER BY e.enterprise_id) AS enterprise_rank
        FROM enterprise e
        LEFT JOIN module_bits_of(countries) b USING (enterprise_id)
    ),
    ranked_indicator AS MATERIALIZED (
        SELECT code, direction, row_number() OVER (ORDER BY code) - 1 AS indicator_rank, count(*) OVER () AS indicators
        FROM indicator
    )
    SELECT p.*, e.province, e.sector, e.phase, e.partner, e.join_year, e.record_key,
           e.module_bits, improved_of(i.direction, p.baseline, p.follow_up) AS improved,
           e.enterprise_rank * i.indicators + i.indicator_rank AS pair_order
    FROM (
        SELECT v.enterprise_id, any_value(v.country) AS country, v.indicator,
               max(v.value) FILTER (WHERE v.period = 'baseline') AS baseline,
               max(v.value) FILTER (WHERE v.period = 'follow_up') AS follow_up
        FROM indicator_value v
        JOIN indicator i ON i.code = v.indicator AND i.kind = 'change'
        WHERE list_contains(countries, v.country)
        GROUP BY v.enterprise_id, v.indicator
        HAVING baseline IS NOT NULL
    ) p
    JOIN enterprise_bits e USING (enterprise_id)
    JOIN ranked_indicator i ON i.code = p.indicator;

-- indicator_pair for the filtered enterprises. `improved`: the follow-up moved in the indicator's better direction
-- (NULL without a follow-up), written at build time: joining 1.4 million rows to `indicator` for the direction was
-- ~10 ms of outcome_changes at x200 (BENCHMARKS.md, "Module bits"). The module filter only selects enterprises here,
-- so the table serves every filter.
CREATE MACRO indicator_change(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT p.enterprise_id, p.country, p.record_key, p.indicator, p.baseline, p.follow_up, p.improved
    FROM indicator_pair p
    WHERE enterprise_in(countries, provinces, sectors, phases, partners, year_from, year_to,
                        p.country, p.province, p.sector, p.phase, p.partner, p.join_year)
      AND has_module_bit(modules, p.module_bits);

-- Follow-up yes/no answers for "share" indicators (adoption, relations, cost savings).
CREATE MACRO indicator_share_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) AS TABLE
    SELECT e.scope, v.enterprise_id, e.country, e.record_key, v.indicator, v.value, e.province, e.sector, e.phase,
           e.partner, e.join_year
    FROM indicator_value v
    JOIN scoped_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) e
      USING (enterprise_id)
    JOIN indicator i ON i.code = v.indicator AND i.kind = 'share'
    WHERE v.period = 'follow_up';
CREATE MACRO indicator_share(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (scope) FROM indicator_share_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, false);

CREATE MACRO size_class_of(workers) AS (
    -- `< max + 1`: public views classify the noisy headcount (score.build NOISY_BASE), which is not a whole number
    SELECT code FROM size_class WHERE workers >= min_workers AND (max_workers IS NULL OR workers < max_workers + 1)
);

-- The headline figures per group of alike enterprises (see figures_by_group) for the filtered enterprises:
-- enterprises engaged, workers reached by sex, module completions, training participations, consultation visits,
-- people trained by role and sex. The definition; build time writes it unfiltered into figures_by_group.
CREATE MACRO figures_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) AS TABLE
    WITH ex AS (  -- each enterprise in its scope beside its training figures there (x_*; NULL without deliveries)
        SELECT '' AS scope, e.country, e.province, e.sector, e.phase, e.partner, e.join_year, e.workers_female,
               e.workers_male, e.workers, e.record_key, x.enterprise_id AS x_enterprise_id,
               x.module_completions AS x_module_completions, x.participations AS x_participations,
               x.consultation_visits AS x_consultation_visits, x.managers_female AS x_managers_female,
               x.managers_male AS x_managers_male, x.workers_female AS x_workers_female,
               x.workers_male AS x_workers_male, x.participations_managers_female AS x_participations_managers_female,
               x.participations_managers_male AS x_participations_managers_male,
               x.participations_workers_female AS x_participations_workers_female,
               x.participations_workers_male AS x_participations_workers_male
        FROM filtered_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to) e
        LEFT JOIN filtered_enterprise_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to) x
          USING (enterprise_id)
        WHERE NOT by_module
        UNION ALL
        -- a module's scope: each enterprise with a delivery of the module beside that one delivery (see Scopes), read
        -- in one join of the deliveries to their enterprises
        SELECT t.module, e.country, e.province, e.sector, e.phase, e.partner, e.join_year, e.workers_female,
               e.workers_male, e.workers, e.record_key, t.enterprise_id, 1,
               t.managers_female + t.managers_male + t.workers_female + t.workers_male, t.consultation_visits,
               t.managers_female, t.managers_male, t.workers_female, t.workers_male,
               t.managers_female, t.managers_male, t.workers_female, t.workers_male
        FROM training t
        JOIN filtered_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to) e
          USING (enterprise_id)
        WHERE by_module AND (modules IS NULL OR list_contains(modules, t.module))
    )
    SELECT scope, country, province, sector, phase, partner, join_year, count(*) AS enterprises,
           sum(workers_female) AS workers_female, sum(workers_male) AS workers_male, sum(workers) AS workers,
           sum(x_module_completions) AS module_completions, sum(x_participations) AS participations,
           sum(x_consultation_visits) AS consultation_visits,
           sum(x_managers_female) AS managers_female, sum(x_managers_male) AS managers_male,
           sum(x_workers_female) AS trained_workers_female, sum(x_workers_male) AS trained_workers_male,
           sum(record_key) AS record_keys, max(workers_female) AS max_workers_female,
           max(workers_male) AS max_workers_male, max(workers) AS max_workers,
           max(x_participations) AS max_participations, max(x_consultation_visits) AS max_consultation_visits,
           max(x_managers_female + x_workers_female) AS max_people_trained_female,
           max(x_managers_male + x_workers_male) AS max_people_trained_male,
           max(x_managers_female + x_managers_male) AS max_managers_trained,
           max(x_workers_female + x_workers_male) AS max_workers_trained,
           max(x_managers_female + x_managers_male + x_workers_female + x_workers_male) AS max_people_trained,
           count(x_enterprise_id) AS trained_enterprises,
           sum(record_key) FILTER (WHERE x_enterprise_id IS NOT NULL) AS trained_record_keys,
           sum(x_participations_managers_female) AS participations_managers_female,
           sum(x_participations_managers_male) AS participations_managers_male,
           sum(x_participations_workers_female) AS participations_workers_female,
           sum(x_participations_workers_male) AS participations_workers_male,
           max(x_managers_female) AS max_managers_female, max(x_managers_male) AS max_managers_male,
           max(x_workers_female) AS max_trained_workers_female, max(x_workers_male) AS max_trained_workers_male,
           max(x_participations_managers_female) AS max_participations_managers_female,
           max(x_participations_managers_male) AS max_participations_managers_male,
           max(x_participations_workers_female) AS max_participations_workers_female,
           max(x_participations_workers_male) AS max_participations_workers_male
    FROM ex
    GROUP BY scope, country, province, sector, phase, partner, join_year;
CREATE MACRO figures_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (scope) FROM figures_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, false);

-- Which rows of a *_by_group table answer the module filter: those of module NULL without one, those of the module
-- with one; a filter on two or more modules computes the rows instead (modules_computed). DuckDB folds these
-- conditions on the parameter, so each view reads one branch.
CREATE MACRO group_rows_for(modules, module) AS (
    CASE WHEN modules IS NULL THEN module IS NULL
         WHEN len(list_distinct(modules)) = 1 THEN module = list_distinct(modules)[1]
         ELSE false END
);
CREATE MACRO modules_computed(modules) AS (coalesce(len(list_distinct(modules)) > 1, false));
-- A *_by_group row answers the filters: its module variant and its group's attributes.
CREATE MACRO group_in(countries, provinces, sectors, phases, partners, modules, year_from, year_to,
                      module, country, province, sector, phase, partner, join_year) AS (
    group_rows_for(modules, module)
    AND enterprise_in(countries, provinces, sectors, phases, partners, year_from, year_to,
                      country, province, sector, phase, partner, join_year)
);

-- Schema `stored` holds each *_groups reader's first branch alone, the rows read from its table (valid without a
-- module filter or with one module); the *_groups macros below are that branch UNION ALL the rows computed for two
-- or more modules. DuckDB binds both branches of a UNION ALL before folding the false one away, and binding the
-- computed one is ~4 ms of a 10-15 ms statement, so score.db puts `stored` before main on the search path when no
-- two modules are chosen: the same SQL text then reads stored.figure_groups ... (BENCHMARKS.md, "A new session").
CREATE SCHEMA stored;

-- filtered_training's rows read from `delivery` (no join: the filter columns are on each row). Valid with any module
-- filter; stored is on the path with none or one. A delivery of a chosen module is one of an enterprise with that
-- module, so has_module would add nothing but its probe of every delivery's enterprise_id (BENCHMARKS.md, "Module
-- bits").
CREATE MACRO stored.filtered_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT d.*, d.managers_female + d.managers_male + d.workers_female + d.workers_male AS participants
    FROM delivery d
    WHERE enterprise_in(countries, provinces, sectors, phases, partners, year_from, year_to,
                        d.country, d.province, d.sector, d.phase, d.partner, d.join_year)
      AND (modules IS NULL OR list_contains(modules, d.module));

-- The rows of figures_by_group for the filters: read from the table, or computed when two or more modules are chosen.
CREATE MACRO stored.figure_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (module) FROM figures_by_group
    WHERE group_in(countries, provinces, sectors, phases, partners, modules, year_from, year_to, module, country, province,
                   sector, phase, partner, join_year);
CREATE MACRO figure_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * FROM stored.figure_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    UNION ALL
    SELECT * FROM figures_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    WHERE modules_computed(modules);

-- Per group and year of classroom training, for the filtered enterprises and chosen modules (training_year_by_group:
-- the definition; build time writes it per module). A year's enterprises are those with a delivery that year.
CREATE MACRO training_year_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) AS TABLE
    WITH d AS (  -- per scope, enterprise and year: deliveries, participations, people first counted (people)
        SELECT d.*, added.people
        FROM (
            SELECT scope, enterprise_id, year(classroom_date) AS year, any_value(country) AS country,
                   any_value(province) AS province, any_value(sector) AS sector, any_value(phase) AS phase, any_value(partner) AS partner,
                   any_value(join_year) AS join_year, any_value(record_key) AS record_key,
                   count(*) AS deliveries, sum(participants) AS participations
            FROM scoped_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module)
            WHERE NOT by_module
            GROUP BY scope, enterprise_id, year(classroom_date)
        ) d
        LEFT JOIN (
            SELECT enterprise_id, year(classroom_date) AS year,
                   sum(managers_female + managers_male + workers_female + workers_male) AS people
            FROM people_trained_added(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
            WHERE NOT by_module
            GROUP BY enterprise_id, year(classroom_date)
        ) added USING (enterprise_id, year)
        UNION ALL
        -- a module's scope: an enterprise's one delivery of the module (see Scopes), which adds every person in it
        -- (people_added_per_delivery: the running maximum over one delivery is the delivery)
        SELECT scope, enterprise_id, year(classroom_date) AS year, country, province, sector, phase, partner, join_year,
               record_key, 1 AS deliveries, participants AS participations,
               managers_female + managers_male + workers_female + workers_male AS people
        FROM scoped_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module)
        WHERE by_module
    )
    SELECT scope, country, province, sector, phase, partner, join_year, year, count(*) AS n_enterprises,
           sum(deliveries) AS deliveries, sum(participations) AS participations,
           sum(people) AS people_trained, sum(record_key) AS record_keys,
           max(participations) AS max_participations, max(people) AS max_people_trained
    FROM d
    GROUP BY scope, country, province, sector, phase, partner, join_year, year;
CREATE MACRO training_year_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (scope) FROM training_year_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, false);

CREATE MACRO stored.training_year_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (module) FROM training_year_by_group
    WHERE group_in(countries, provinces, sectors, phases, partners, modules, year_from, year_to, module, country, province,
                   sector, phase, partner, join_year);
CREATE MACRO training_year_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * FROM stored.training_year_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    UNION ALL
    SELECT * FROM training_year_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    WHERE modules_computed(modules);

-- Per group and module of the deliveries of the filtered enterprises and chosen modules (delivery_by_group: the
-- definition), and its reader: the table serves every module filter.
CREATE MACRO delivery_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT country, province, sector, phase, partner, join_year, module AS delivery_module, count(*) AS deliveries,
           sum(participants) AS participations, sum(record_key) AS record_keys, max(participants) AS max_participations,
           count(satisfaction_pct) AS n_satisfaction, sum(satisfaction_pct) AS satisfaction_sum,
           sum(record_key) FILTER (WHERE satisfaction_pct IS NOT NULL) AS satisfaction_record_keys,
           max(satisfaction_pct) AS max_satisfaction
    FROM filtered_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    GROUP BY country, province, sector, phase, partner, join_year, module;

CREATE MACRO delivery_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * FROM delivery_by_group
    WHERE (modules IS NULL OR list_contains(modules, delivery_module))
      AND enterprise_in(countries, provinces, sectors, phases, partners, year_from, year_to,
                        country, province, sector, phase, partner, join_year);

-- Per group and number of deliveries of the chosen modules per enterprise (modules_taken_by_group: the definition).
CREATE MACRO modules_taken_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) AS TABLE
    WITH n AS (
        SELECT e.scope, e.enterprise_id, any_value(e.country) AS country, any_value(e.province) AS province,
               any_value(e.sector) AS sector,
               any_value(e.phase) AS phase, any_value(e.partner) AS partner, any_value(e.join_year) AS join_year,
               any_value(e.record_key) AS record_key, count(t.module) AS n_modules
        FROM scoped_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) e
        LEFT JOIN scoped_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) t
          USING (scope, enterprise_id)
        WHERE NOT by_module
        GROUP BY e.scope, e.enterprise_id
        UNION ALL
        -- a module's scope: an enterprise's one delivery of the module (see Scopes)
        SELECT scope, enterprise_id, country, province, sector, phase, partner, join_year, record_key, 1 AS n_modules
        FROM scoped_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module)
        WHERE by_module
    )
    SELECT scope, country, province, sector, phase, partner, join_year, n_modules, count(*) AS enterprises,
           sum(record_key) AS record_keys
    FROM n
    GROUP BY scope, country, province, sector, phase, partner, join_year, n_modules;
CREATE MACRO modules_taken_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (scope) FROM modules_taken_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, false);

CREATE MACRO stored.modules_taken_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (module) FROM modules_taken_by_group
    WHERE group_in(countries, provinces, sectors, phases, partners, modules, year_from, year_to, module, country, province,
                   sector, phase, partner, join_year);
CREATE MACRO modules_taken_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * FROM stored.modules_taken_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    UNION ALL
    SELECT * FROM modules_taken_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    WHERE modules_computed(modules);

-- Per group and yes/no indicator, for the filtered enterprises (share_by_group: the definition).
CREATE MACRO share_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module) AS TABLE
    SELECT scope, country, province, sector, phase, partner, join_year, indicator, count(*) AS n_enterprises,
           sum(CASE WHEN value = 1 THEN 1 ELSE 0 END) AS n_yes, sum(value) AS value_sum, count(value) AS value_n,
           sum(record_key) AS record_keys, sum(record_key) FILTER (WHERE value = 1) AS record_keys_yes
    FROM indicator_share_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, by_module)
    GROUP BY scope, country, province, sector, phase, partner, join_year, indicator;
CREATE MACRO share_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (scope) FROM share_per_scope(countries, provinces, sectors, phases, partners, modules, year_from, year_to, false);

CREATE MACRO stored.share_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * EXCLUDE (module) FROM share_by_group
    WHERE group_in(countries, provinces, sectors, phases, partners, modules, year_from, year_to, module, country, province,
                   sector, phase, partner, join_year);
CREATE MACRO share_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * FROM stored.share_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    UNION ALL
    SELECT * FROM share_per_group(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    WHERE modules_computed(modules);

-- The headline figures per country for the filtered enterprises. Totals are sums over these rows; every page and
-- the map read them from here. Without a module filter they add up figures_by_group (DuckDB runs one branch).
-- Disclosure control (score/disclosure.py): `ckey` is the sum of the record keys of the country's filtered
-- enterprises (a total's is the sum of its rows'; never reduced here: score.disclosure.split_keys reads the cell
-- key, mod 256, and in schema noisy the fixed count offset from it), `max_<figure>` the largest
-- contribution of one enterprise to that figure (a total's is the largest of its rows').
CREATE MACRO country_figures(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT country, sum(enterprises)::BIGINT AS enterprises,
           sum(workers_female) AS workers_female, sum(workers_male) AS workers_male, sum(workers) AS workers_reached,
           coalesce(sum(module_completions)::BIGINT, 0) AS module_completions,
           coalesce(sum(participations), 0) AS participations,
           coalesce(sum(consultation_visits), 0) AS consultation_visits,
           coalesce(sum(managers_female) + sum(trained_workers_female), 0) AS people_trained_female,
           coalesce(sum(managers_male) + sum(trained_workers_male), 0) AS people_trained_male,
           coalesce(sum(managers_female) + sum(managers_male), 0) AS managers_trained,
           coalesce(sum(trained_workers_female) + sum(trained_workers_male), 0) AS workers_trained,
           coalesce(sum(managers_female) + sum(managers_male) + sum(trained_workers_female)
                    + sum(trained_workers_male), 0) AS people_trained,
           sum(record_keys) AS ckey, max(max_workers_female) AS max_workers_female,
           max(max_workers_male) AS max_workers_male, max(max_workers) AS max_workers_reached,
           max(max_participations) AS max_participations, max(max_consultation_visits) AS max_consultation_visits,
           max(max_people_trained_female) AS max_people_trained_female,
           max(max_people_trained_male) AS max_people_trained_male, max(max_managers_trained) AS max_managers_trained,
           max(max_workers_trained) AS max_workers_trained, max(max_people_trained) AS max_people_trained
    FROM figure_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    GROUP BY country;

-- People trained over time, on the same basis as people_trained: walking through an enterprise's deliveries
-- in date order, each adds (per role and sex) how far it raises the largest group so far (a running maximum).
-- Summed over an enterprise this equals people_trained; summed by year it says when people were first counted.
-- The definition; build time writes it unfiltered into delivery_people_added.
CREATE MACRO people_added_per_delivery(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    -- running maximum up to this delivery minus the one up to the delivery before: one window pass (both frames
    -- share partition and order), not a running max followed by lag() over a second window.
    SELECT enterprise_id, country, module, classroom_date,
           max(managers_female) OVER upto - coalesce(max(managers_female) OVER before, 0) AS managers_female,
           max(managers_male) OVER upto - coalesce(max(managers_male) OVER before, 0) AS managers_male,
           max(workers_female) OVER upto - coalesce(max(workers_female) OVER before, 0) AS workers_female,
           max(workers_male) OVER upto - coalesce(max(workers_male) OVER before, 0) AS workers_male
    FROM filtered_training(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    WINDOW upto AS (PARTITION BY enterprise_id ORDER BY classroom_date, module ROWS UNBOUNDED PRECEDING),
           before AS (PARTITION BY enterprise_id ORDER BY classroom_date, module
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING);

-- The same rows, from the table written at build time unless a module filter changes which deliveries count.
CREATE MACRO people_trained_added(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT a.* FROM delivery_people_added a
    JOIN filtered_enterprises(countries, provinces, sectors, phases, partners, NULL, year_from, year_to) e USING (enterprise_id)
    WHERE modules IS NULL
    UNION ALL
    SELECT * FROM people_added_per_delivery(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    WHERE modules IS NOT NULL;

-- The options of the sidebar's filters (queries/filter_options.sql): enterprises and their record keys per group of
-- alike enterprises, from figures_by_group's rows without a module filter or with one module; with two or more,
-- counted from the enterprises (not figures_per_group: the options need no figure but the count).
CREATE MACRO stored.option_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT country, province, sector, phase, partner, enterprises, record_keys FROM figures_by_group
    WHERE group_in(countries, provinces, sectors, phases, partners, modules, year_from, year_to, module, country,
                   province, sector, phase, partner, join_year);
CREATE MACRO option_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to) AS TABLE
    SELECT * FROM stored.option_groups(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    UNION ALL
    SELECT country, province, sector, phase, partner, count(*) AS enterprises, sum(record_key) AS record_keys
    FROM filtered_enterprises(countries, provinces, sectors, phases, partners, modules, year_from, year_to)
    WHERE modules_computed(modules)
    GROUP BY country, province, sector, phase, partner;

-- Per group of alike enterprises, those with a delivery of each module, from the per-module rows of figures_by_group
-- (an enterprise counts once per module): the module filter's options.
CREATE MACRO module_option_groups(countries, provinces, sectors, phases, partners, year_from, year_to) AS TABLE
    SELECT module, enterprises, record_keys FROM figures_by_group
    WHERE module IS NOT NULL
      AND enterprise_in(countries, provinces, sectors, phases, partners, year_from, year_to,
                        country, province, sector, phase, partner, join_year);

-- Per-contributor noise for everyone without detail rights (score/disclosure.py, README "Small numbers"): schema
-- `noisy` (made by score.build, NOISY_TABLES) holds the same tables with every magnitude of an enterprise moved by
-- its fixed share (+-6-12%, the US Census Bureau's County Business Patterns method), kept unrounded (DOUBLE), and
-- the derived tables written from them. score.db reads it first (search_path noisy, main) for such viewers; tables
-- without enterprise magnitudes (code lists, targets, logframe) are read from main. Counts are the same in both.
CREATE MACRO noisy_value(x, share) AS (x * (1 + share));
