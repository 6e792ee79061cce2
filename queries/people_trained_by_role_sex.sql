-- access: aggregate
-- suppress: n_enterprises: people_trained participations
-- suppress-by: none   (four groups of the same enterprises)
-- People trained (distinct estimate: per enterprise, role and sex, the largest classroom group across its
-- modules) and training participations (a person in two modules counts twice), by role and sex.
WITH p AS (
    SELECT count(*) AS n_enterprises,
           sum(managers_female) AS mf, sum(managers_male) AS mm, sum(workers_female) AS wf, sum(workers_male) AS wm
    FROM people_trained($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
),
t AS (
    SELECT sum(managers_female) AS mf, sum(managers_male) AS mm, sum(workers_female) AS wf, sum(workers_male) AS wm
    FROM filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
)
SELECT g.role, g.sex, p.n_enterprises,
       coalesce(CASE g.code WHEN 'mf' THEN p.mf WHEN 'mm' THEN p.mm WHEN 'wf' THEN p.wf ELSE p.wm END, 0)
           AS people_trained,
       coalesce(CASE g.code WHEN 'mf' THEN t.mf WHEN 'mm' THEN t.mm WHEN 'wf' THEN t.wf ELSE t.wm END, 0)
           AS participations
FROM (VALUES (1, 'managers', 'female', 'mf'), (2, 'managers', 'male', 'mm'),
             (3, 'workers', 'female', 'wf'), (4, 'workers', 'male', 'wm')) g(sort_order, role, sex, code),
     p, t
ORDER BY g.sort_order
