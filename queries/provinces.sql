-- access: reference
-- Known provinces (valid values for the province filter in a link; the sidebar offers those of the viewer's
-- choices through filter_options).
SELECT DISTINCT province FROM enterprise WHERE province IS NOT NULL ORDER BY province
