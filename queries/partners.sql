-- access: reference
-- Known implementing partners (valid values for the partner filter).
SELECT DISTINCT partner FROM enterprise WHERE partner IS NOT NULL ORDER BY partner
