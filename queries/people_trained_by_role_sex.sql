-- access: aggregate
-- rows: fixed   (one row per role and sex)
-- suppress: n_enterprises: people_trained participations
-- perturb: ckey: count n_enterprises; sum people_trained participations
-- People trained (distinct estimate: per enterprise, role and sex, the largest classroom group across its
-- modules) and training participations (a person in two modules counts twice), by role and sex.
-- max_*: the largest contribution of one enterprise to each group (score/disclosure.py).
-- The sums over figure_groups (score/sql/schema.sql): a few thousand rows written at build time unless two or more
-- modules are chosen. One aggregate row for both measures: two (people, participations) over a shared CTE had DuckDB
-- plan figure_groups twice, ~1.5 ms more a new session (BENCHMARKS.md, "Fewer expressions to plan (server, session 15)").
WITH p AS (
    SELECT coalesce(sum(trained_enterprises), 0)::BIGINT AS n_enterprises,
           coalesce(sum(trained_record_keys), 0) AS ckey,
           sum(managers_female) AS mf, sum(managers_male) AS mm, sum(trained_workers_female) AS wf,
           sum(trained_workers_male) AS wm,
           max(max_managers_female) AS max_mf, max(max_managers_male) AS max_mm,
           max(max_trained_workers_female) AS max_wf, max(max_trained_workers_male) AS max_wm,
           sum(participations_managers_female) AS part_mf, sum(participations_managers_male) AS part_mm,
           sum(participations_workers_female) AS part_wf, sum(participations_workers_male) AS part_wm,
           max(max_participations_managers_female) AS max_part_mf, max(max_participations_managers_male) AS max_part_mm,
           max(max_participations_workers_female) AS max_part_wf, max(max_participations_workers_male) AS max_part_wm
    FROM figure_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
)
SELECT g.role, g.sex, p.n_enterprises,
       coalesce(CASE g.code WHEN 'mf' THEN p.mf WHEN 'mm' THEN p.mm WHEN 'wf' THEN p.wf ELSE p.wm END, 0)
           AS people_trained,
       coalesce(CASE g.code WHEN 'mf' THEN p.part_mf WHEN 'mm' THEN p.part_mm WHEN 'wf' THEN p.part_wf ELSE p.part_wm END, 0)
           AS participations,
       p.ckey,
       CASE g.code WHEN 'mf' THEN p.max_mf WHEN 'mm' THEN p.max_mm WHEN 'wf' THEN p.max_wf ELSE p.max_wm END
           AS max_people_trained,
       CASE g.code WHEN 'mf' THEN p.max_part_mf WHEN 'mm' THEN p.max_part_mm WHEN 'wf' THEN p.max_part_wf ELSE p.max_part_wm END
           AS max_participations
FROM (VALUES (1, 'managers', 'female', 'mf'), (2, 'managers', 'male', 'mm'),
             (3, 'workers', 'female', 'wf'), (4, 'workers', 'male', 'wm')) g(sort_order, role, sex, code),
     p
ORDER BY g.sort_order
