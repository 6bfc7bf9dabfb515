-- AI-first / AI-support / ML: jobs and share of all jobs in the scope (untagged jobs count
-- in the total only).
WITH per_group AS MATERIALIZED (
    SELECT scope_group, ai_type, sum(jobs) AS jobs
    FROM group_base_counts
    WHERE ai_type IS NOT NULL
    GROUP BY scope_group, ai_type
),
per_cell AS (
    SELECT gc.cell_id, g.ai_type, sum(g.jobs) AS jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.ai_type
)
SELECT c.city, c.period, p.ai_type, p.jobs, round(100.0 * p.jobs / t.jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, p.jobs DESC, p.ai_type;
