-- access: aggregate
-- suppress: n_enterprises: people_trained participations
-- perturb: ckey: count n_enterprises; sum people_trained participations
-- People trained (distinct estimate: per enterprise, role and sex, the largest classroom group across its
-- modules) and training participations (a person in two modules counts twice), by role and sex.
-- max_*: the largest contribution of one enterprise to each group (score/disclosure.py).
WITH p AS (
    SELECT count(*) AS n_enterprises, coalesce(sum(record_key), 0) % 256 AS ckey,
           sum(managers_female) AS mf, sum(managers_male) AS mm, sum(workers_female) AS wf, sum(workers_male) AS wm,
           max(managers_female) AS max_mf, max(managers_male) AS max_mm, max(workers_female) AS max_wf,
           max(workers_male) AS max_wm
    FROM people_trained($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
),
t AS (
    SELECT sum(mf) AS mf, sum(mm) AS mm, sum(wf) AS wf, sum(wm) AS wm,
           max(mf) AS max_mf, max(mm) AS max_mm, max(wf) AS max_wf, max(wm) AS max_wm
    FROM (
        SELECT enterprise_id, sum(managers_female) AS mf, sum(managers_male) AS mm, sum(workers_female) AS wf,
               sum(workers_male) AS wm
        FROM filtered_training($countries, $sectors, $phases, $partners, $modules, $year_from, $year_to)
        GROUP BY enterprise_id
    )
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
