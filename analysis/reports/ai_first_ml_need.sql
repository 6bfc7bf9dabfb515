-- How many AI-first jobs ask for at least one ML skill (PyTorch, fine-tuning, ...).
WITH per_group AS MATERIALIZED (
    SELECT scope_group, count(*) AS jobs, sum(has_ml) AS ml_jobs
    FROM job_profile
    WHERE ai_type = 'ai-first'
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id, sum(g.jobs) AS ai_first_jobs, sum(g.ml_jobs) AS ml_jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
)
SELECT c.city, c.period, p.ai_first_jobs, p.ml_jobs AS jobs,
    round(100.0 * p.ml_jobs / p.ai_first_jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id;
