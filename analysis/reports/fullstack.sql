-- Full-stack expectations in AI-first jobs: frontend, backend and both (full-stack).
WITH per_group AS MATERIALIZED (
    SELECT scope_group, count(*) AS ai_first_jobs,
        sum(is_frontend) AS frontend, sum(is_backend) AS backend, sum(is_fullstack) AS fullstack
    FROM job_profile
    WHERE ai_type = 'ai-first'
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id, sum(g.ai_first_jobs) AS ai_first_jobs,
        sum(g.frontend) AS frontend, sum(g.backend) AS backend, sum(g.fullstack) AS fullstack
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
),
sides AS (
    SELECT cell_id, ai_first_jobs, 1 AS position, 'frontend' AS side, frontend AS jobs FROM per_cell
    UNION ALL SELECT cell_id, ai_first_jobs, 2, 'backend', backend FROM per_cell
    UNION ALL SELECT cell_id, ai_first_jobs, 3, 'full-stack (both)', fullstack FROM per_cell
)
SELECT c.city, c.period, s.side, s.jobs, s.ai_first_jobs,
    round(100.0 * s.jobs / s.ai_first_jobs, 1) AS pct
FROM sides AS s
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, s.position;
