-- How deep AI-first jobs go into fine-tuning: primary duty, secondary, or none (untagged
-- jobs count as none), as shares of AI-first jobs.
WITH depth (position, fine_tuning) AS (
    VALUES (1, 'primary'), (2, 'secondary'), (3, 'none')
),
per_group AS MATERIALIZED (
    SELECT scope_group, fine_tuning, sum(jobs) AS jobs
    FROM group_base_counts
    WHERE ai_type = 'ai-first'
    GROUP BY scope_group, fine_tuning
),
per_cell AS (
    SELECT gc.cell_id, g.fine_tuning, sum(g.jobs) AS jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.fine_tuning
)
SELECT c.city, c.period, d.fine_tuning, coalesce(p.jobs, 0) AS jobs, t.ai_first_jobs,
    round(100.0 * coalesce(p.jobs, 0) / t.ai_first_jobs, 1) AS pct
FROM cell_totals AS t
JOIN cells AS c USING (cell_id)
CROSS JOIN depth AS d
LEFT JOIN per_cell AS p ON p.cell_id = t.cell_id AND p.fine_tuning = d.fine_tuning
WHERE t.ai_first_jobs > 0
ORDER BY c.cell_id, d.position;
