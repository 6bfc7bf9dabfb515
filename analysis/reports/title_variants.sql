-- Title variants, as published (title_analysis.py): titles grouped by titles.published_variant
-- (_scope.sql: seniority words removed wherever they stand), shown under the group's most common
-- title without a seniority word (variant_names); groups with at least 2 jobs, with the share of
-- their jobs per AI type; ties in the order of their first job (cell_variant_counts: fill_titles
-- counts and ranks them). Beside it, ours: whole_word_jobs,
-- the jobs of the shown title's whole-word variant (titles.variant).
WITH whole_word AS (
    SELECT c.cell_id, t.variant, sum(c.jobs) AS jobs
    FROM cell_title_counts AS c
    JOIN titles AS t USING (title_id)
    GROUP BY c.cell_id, t.variant
)
SELECT c.city, c.period, p.rank, n.title AS title_variant, p.jobs,
    p.ai_first_jobs, round(100.0 * p.ai_first_jobs / p.jobs, 1) AS ai_first_pct,
    p.ai_support_jobs, round(100.0 * p.ai_support_jobs / p.jobs, 1) AS ai_support_pct,
    p.ml_jobs, round(100.0 * p.ml_jobs / p.jobs, 1) AS ml_pct,
    w.jobs AS whole_word_jobs
FROM cell_variant_counts AS p  -- the groups, counted and ranked (fill_titles)
JOIN variant_names AS n ON n.published_variant = p.published_variant
JOIN cells AS c USING (cell_id)
LEFT JOIN whole_word AS w ON w.cell_id = p.cell_id AND w.variant = n.variant
ORDER BY c.cell_id, p.rank;
