-- The 20 companies with the most jobs in each scope, and every company tying with the 20th,
-- with their share of all jobs; ties in the order of their first job (as published).
WITH ranked AS (
    SELECT k.cell_id, o.company, k.jobs,
        row_number() OVER (PARTITION BY k.cell_id ORDER BY k.jobs DESC, o.first_seen) AS rank
    FROM cell_company_counts AS k
    JOIN companies AS o USING (company_id)
),
cut AS (SELECT cell_id, jobs AS last_jobs FROM ranked WHERE rank = 20)
SELECT c.city, c.period, r.rank, r.company, r.jobs, round(100.0 * r.jobs / t.jobs, 1) AS pct
FROM ranked AS r
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
LEFT JOIN cut USING (cell_id)
WHERE r.rank <= 20 OR r.jobs >= cut.last_jobs
ORDER BY c.cell_id, r.rank;
