-- Jobs per company stage (Seed ... Public, Private/unknown) and their share of all jobs.
WITH per_group AS MATERIALIZED (
    SELECT scope_group, company_stage, sum(jobs) AS jobs
    FROM group_base_counts
    WHERE company_stage IS NOT NULL
    GROUP BY scope_group, company_stage
),
per_cell AS (
    SELECT gc.cell_id, g.company_stage, sum(g.jobs) AS jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.company_stage
)
SELECT c.city, c.period, p.company_stage, p.jobs, round(100.0 * p.jobs / t.jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, p.jobs DESC, p.company_stage;
