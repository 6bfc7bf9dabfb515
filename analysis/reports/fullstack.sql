-- Full-stack expectations in AI-first jobs, as published (skills_analysis.py): frontend when a
-- name holds react, vue, next.js, frontend, typescript or javascript; backend when one holds
-- fastapi, flask, django, api, graphql or rest ("OpenAI API" and "REST APIs" count); both is
-- full-stack. Beside it, ours: our_jobs, the taxonomy's frontend and backend skills
-- (jobcrawler/tagging/categories.yaml skill_groups).
WITH per_group AS MATERIALIZED (
    SELECT scope_group, sum(jobs) AS ai_first_jobs,
        sum(frontend_word_jobs) AS frontend, sum(backend_word_jobs) AS backend,
        sum(fullstack_word_jobs) AS fullstack,
        sum(frontend_jobs) AS our_frontend, sum(backend_jobs) AS our_backend, sum(fullstack_jobs) AS our_fullstack
    FROM group_profile_counts
    WHERE ai_type = 'ai-first'
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id, sum(g.ai_first_jobs) AS ai_first_jobs,
        sum(g.frontend) AS frontend, sum(g.backend) AS backend, sum(g.fullstack) AS fullstack,
        sum(g.our_frontend) AS our_frontend, sum(g.our_backend) AS our_backend, sum(g.our_fullstack) AS our_fullstack
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
),
sides AS (
    SELECT cell_id, ai_first_jobs, 1 AS position, 'frontend' AS side, frontend AS jobs, our_frontend AS our_jobs FROM per_cell
    UNION ALL SELECT cell_id, ai_first_jobs, 2, 'backend', backend, our_backend FROM per_cell
    UNION ALL SELECT cell_id, ai_first_jobs, 3, 'full-stack (both)', fullstack, our_fullstack FROM per_cell
)
SELECT c.city, c.period, s.side, s.jobs, s.ai_first_jobs,
    round(100.0 * s.jobs / s.ai_first_jobs, 1) AS pct,
    s.our_jobs, round(100.0 * s.our_jobs / s.ai_first_jobs, 1) AS our_pct
FROM sides AS s
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, s.position;
