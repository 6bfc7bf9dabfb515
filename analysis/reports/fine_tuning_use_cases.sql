-- Why AI-first jobs fine-tune: mentions of each use case (instruction following, domain
-- knowledge, ...) and their share of AI-first jobs.
WITH job_use_case AS (
    SELECT DISTINCT p.job_id, p.scope_group, u.value AS use_case
    FROM job_profile AS p, json_each(p.fine_tuning_use_cases) AS u
    WHERE p.ai_type = 'ai-first' AND json_valid(p.fine_tuning_use_cases)
),
per_group AS MATERIALIZED (
    SELECT scope_group, use_case, count(*) AS jobs
    FROM job_use_case
    GROUP BY scope_group, use_case
),
per_cell AS (
    SELECT gc.cell_id, g.use_case, sum(g.jobs) AS jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.use_case
)
SELECT c.city, c.period, p.use_case, p.jobs, t.ai_first_jobs,
    round(100.0 * p.jobs / t.ai_first_jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, p.jobs DESC, p.use_case;
