-- The 20 companies with the most jobs in each scope, with their share of all jobs.
WITH ranked AS (
    SELECT k.cell_id, o.company, k.jobs,
        row_number() OVER (PARTITION BY k.cell_id ORDER BY k.jobs DESC, o.company) AS rank
    FROM cell_company_counts AS k
    JOIN companies AS o USING (company_id)
)
SELECT c.city, c.period, r.rank, r.company, r.jobs, round(100.0 * r.jobs / t.jobs, 1) AS pct
FROM ranked AS r
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE r.rank <= 20
ORDER BY c.cell_id, r.rank;
