-- The 20 companies with the most jobs in each scope, with their share of all jobs.
WITH per_group AS MATERIALIZED (
    SELECT scope_group, company, count(*) AS jobs
    FROM job_profile
    WHERE company IS NOT NULL
    GROUP BY scope_group, company
),
per_cell AS (
    SELECT gc.cell_id, g.company, sum(g.jobs) AS jobs,
        row_number() OVER (PARTITION BY gc.cell_id ORDER BY sum(g.jobs) DESC, g.company) AS rank
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.company
)
SELECT c.city, c.period, p.rank, p.company, p.jobs, round(100.0 * p.jobs / t.jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE p.rank <= 20
ORDER BY c.cell_id, p.rank;
