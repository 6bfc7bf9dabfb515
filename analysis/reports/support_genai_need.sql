-- Do AI-support jobs ask for AI knowledge? AI-support jobs with at least one GenAI skill
-- and with none, as shares of AI-support jobs.
WITH per_group AS MATERIALIZED (
    SELECT scope_group, sum(jobs) AS jobs, sum(genai_jobs) AS genai_jobs
    FROM group_profile_counts
    WHERE ai_type = 'ai-support'
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id, sum(g.jobs) AS jobs, sum(g.genai_jobs) AS genai_jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
),
need AS (
    SELECT cell_id, 1 AS position, 'some GenAI skill' AS genai_need, genai_jobs AS jobs, jobs AS ai_support_jobs
    FROM per_cell
    UNION ALL
    SELECT cell_id, 2, 'no GenAI skill', jobs - genai_jobs, jobs FROM per_cell
)
SELECT c.city, c.period, n.genai_need, n.jobs, n.ai_support_jobs,
    round(100.0 * n.jobs / n.ai_support_jobs, 1) AS pct
FROM need AS n
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, n.position;
