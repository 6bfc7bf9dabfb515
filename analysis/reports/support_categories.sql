-- What AI-support jobs do: jobs per support category and their share of AI-support jobs.
WITH per_group AS MATERIALIZED (
    SELECT scope_group, support_category, sum(jobs) AS jobs
    FROM group_base_counts
    WHERE ai_type = 'ai-support' AND support_category IS NOT NULL
    GROUP BY scope_group, support_category
),
per_cell AS (
    SELECT gc.cell_id, g.support_category, sum(g.jobs) AS jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.support_category
)
SELECT c.city, c.period, p.support_category, p.jobs, t.ai_support_jobs,
    round(100.0 * p.jobs / t.ai_support_jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, p.jobs DESC, p.support_category;
