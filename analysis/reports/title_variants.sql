-- Title variants: a title without its seniority words (titles.variant in _scope.sql), so
-- "Senior AI Engineer" and "AI Engineer II" both count as "AI Engineer" (the name comes from
-- variant_names). Variants with at least 2 jobs, with the share of their jobs per AI type.
WITH per_cell AS (
    SELECT c.cell_id, t.variant,
        sum(c.jobs) AS jobs,
        sum(CASE WHEN c.ai_type = 'ai-first' THEN c.jobs ELSE 0 END) AS ai_first_jobs,
        sum(CASE WHEN c.ai_type = 'ai-support' THEN c.jobs ELSE 0 END) AS ai_support_jobs,
        sum(CASE WHEN c.ai_type = 'ml' THEN c.jobs ELSE 0 END) AS ml_jobs,
        row_number() OVER (PARTITION BY c.cell_id ORDER BY sum(c.jobs) DESC, t.variant) AS rank
    FROM cell_title_counts AS c
    JOIN titles AS t USING (title_id)
    WHERE t.variant <> ''
    GROUP BY c.cell_id, t.variant
    HAVING sum(c.jobs) >= 2
)
SELECT c.city, c.period, p.rank, n.title AS title_variant, p.jobs,
    p.ai_first_jobs, round(100.0 * p.ai_first_jobs / p.jobs, 1) AS ai_first_pct,
    p.ai_support_jobs, round(100.0 * p.ai_support_jobs / p.jobs, 1) AS ai_support_pct,
    p.ml_jobs, round(100.0 * p.ml_jobs / p.jobs, 1) AS ml_pct
FROM per_cell AS p
JOIN variant_names AS n ON n.variant = p.variant
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, p.rank;
