-- Research jobs against applied / production jobs (every other job), with shares of all jobs.
WITH per_group AS MATERIALIZED (
    SELECT scope_group, sum(jobs) AS jobs, sum(research_jobs) AS research_jobs
    FROM group_base_counts
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id, sum(g.jobs) AS jobs, sum(g.research_jobs) AS research_jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
),
kinds AS (
    SELECT cell_id, 1 AS position, 'Research' AS role_kind, research_jobs AS jobs, jobs AS all_jobs
    FROM per_cell
    UNION ALL
    SELECT cell_id, 2, 'Applied/Production', jobs - research_jobs, jobs FROM per_cell
)
SELECT c.city, c.period, k.role_kind, k.jobs, round(100.0 * k.jobs / k.all_jobs, 1) AS pct
FROM kinds AS k
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, k.position;
