-- access: reference
-- First and last joining year in the data (bounds of the year filter).
SELECT min(join_year) AS first_year, max(join_year) AS last_year FROM enterprise
