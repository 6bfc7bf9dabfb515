-- How many AI-first jobs ask for some ML knowledge, as published (skills_analysis.py): a name
-- holding one of the ML words of _scope.sql published_terms ('ml knowledge', "machine learning"
-- included). Beside it, ours: concrete_jobs, a concrete ML skill of the taxonomy, the generic
-- "machine learning" (often the company's field) left out.
WITH per_group AS MATERIALIZED (
    SELECT scope_group, sum(jobs) AS jobs, sum(ml_word_jobs) AS ml_jobs, sum(concrete_ml_jobs) AS concrete_jobs
    FROM group_profile_counts
    WHERE ai_type = 'ai-first'
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id, sum(g.jobs) AS ai_first_jobs, sum(g.ml_jobs) AS ml_jobs, sum(g.concrete_jobs) AS concrete_jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
)
SELECT c.city, c.period, p.ai_first_jobs, p.ml_jobs AS jobs,
    round(100.0 * p.ml_jobs / p.ai_first_jobs, 1) AS pct,
    p.concrete_jobs, round(100.0 * p.concrete_jobs / p.ai_first_jobs, 1) AS concrete_pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id;
