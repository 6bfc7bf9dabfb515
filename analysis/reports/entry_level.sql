-- Entry-level jobs within each AI type and their share of that type's jobs.
WITH per_group AS MATERIALIZED (
    SELECT scope_group, ai_type, sum(jobs) AS jobs, sum(entry_level_jobs) AS entry_level_jobs
    FROM group_base_counts
    WHERE ai_type IS NOT NULL
    GROUP BY scope_group, ai_type
),
per_cell AS (
    SELECT gc.cell_id, g.ai_type, sum(g.jobs) AS jobs, sum(g.entry_level_jobs) AS entry_level_jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.ai_type
)
SELECT c.city, c.period, p.ai_type, p.jobs, p.entry_level_jobs,
    round(100.0 * p.entry_level_jobs / p.jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, p.ai_type;
