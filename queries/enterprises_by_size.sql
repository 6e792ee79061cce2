-- access: aggregate
-- rows: fixed   (one row per size class)
-- suppress: enterprises: workers_reached
-- perturb: ckey: count enterprises; sum workers_reached
-- exact: min_workers max_workers   (the class bounds)
-- Enterprises and workers reached per size class (size_class / size_class_of in score/sql/schema.sql:
-- headcount when joining). Every class is listed, also when no enterprise falls in it.
SELECT s.code AS size_class, s.min_workers, s.max_workers,
       count(e.enterprise_id) AS enterprises, coalesce(sum(e.workers), 0) AS workers_reached,
       coalesce(sum(e.record_key), 0) AS ckey, max(e.workers) AS max_workers_reached
FROM size_class s
LEFT JOIN (
    SELECT enterprise_id, workers, record_key, size_class_of(workers) AS size_class FROM filtered_enterprises($countries, $provinces, $sectors, $phases, $partners, $modules, $year_from, $year_to)
) e ON e.size_class = s.code
GROUP BY s.code, s.sort_order, s.min_workers, s.max_workers
ORDER BY s.sort_order
