-- access: aggregate
-- rows: fixed   (one row per role and sex)
-- suppress: n_enterprises: people_trained participations
-- perturb: ckey: count n_enterprises; sum people_trained participations
-- People trained (distinct estimate: per enterprise, role and sex, the largest classroom group across its
-- modules) and training participations (a person in two modules counts twice), by role and sex.
-- max_*: the largest contribution of one enterprise to each group (score/disclosure.py).
-- The sums over figure_groups (score/sql/schema.sql): a few thousand rows written at build time unless two or more
-- modules are chosen.
WITH f AS (
    FROM figure_groups($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
),
p AS (
    SELECT coalesce(sum(trained_enterprises), 0)::BIGINT AS n_enterprises,
           coalesce(sum(trained_record_keys), 0) AS ckey,
           sum(managers_female) AS mf, sum(managers_male) AS mm, sum(trained_workers_female) AS wf,
           sum(trained_workers_male) AS wm,
           max(max_managers_female) AS max_mf, max(max_managers_male) AS max_mm,
           max(max_trained_workers_female) AS max_wf, max(max_trained_workers_male) AS max_wm
    FROM f
),
t AS (
    SELECT sum(participations_managers_female) AS mf, sum(participations_managers_male) AS mm,
           sum(participations_workers_female) AS wf, sum(participations_workers_male) AS wm,
           max(max_participations_managers_female) AS max_mf, max(max_participations_managers_male) AS max_mm,
           max(max_participations_workers_female) AS max_wf, max(max_participations_workers_male) AS max_wm
    FROM f
)
SELECT g.role, g.sex, p.n_enterprises,
       coalesce(CASE g.code WHEN 'mf' THEN p.mf WHEN 'mm' THEN p.mm WHEN 'wf' THEN p.wf ELSE p.wm END, 0)
           AS people_trained,
       coalesce(CASE g.code WHEN 'mf' THEN t.mf WHEN 'mm' THEN t.mm WHEN 'wf' THEN t.wf ELSE t.wm END, 0)
           AS participations,
       p.ckey,
       CASE g.code WHEN 'mf' THEN p.max_mf WHEN 'mm' THEN p.max_mm WHEN 'wf' THEN p.max_wf ELSE p.max_wm END
           AS max_people_trained,
       CASE g.code WHEN 'mf' THEN t.max_mf WHEN 'mm' THEN t.max_mm WHEN 'wf' THEN t.max_wf ELSE t.max_wm END
           AS max_participations
FROM (VALUES (1, 'managers', 'female', 'mf'), (2, 'managers', 'male', 'mm'),
             (3, 'workers', 'female', 'wf'), (4, 'workers', 'male', 'wm')) g(sort_order, role, sex, code),
     p, t
ORDER BY g.sort_order
