-- The 20 companies with the most jobs in each scope, and every company tying with the 20th,
-- with their share of all jobs; ties in the order of their first job (as published).
--
-- Speed: of the ~330,000 (cell, company) counts at 100,000 postings, most of them a company's one
-- or two jobs, cell_company_counts keeps only those this table can list (analysis/cell_counts.py,
-- TOP_COMPANIES: this table's 20); the cut below reads the same rows off the whole count too. The
-- jobs of each cell's 20th company are read off how many companies have each count; only the
-- companies with at least that many jobs are then looked up and ranked.
WITH histogram AS (
    SELECT cell_id, jobs, count(*) AS companies
    FROM cell_company_counts
    GROUP BY cell_id, jobs
),
cut AS (  -- the jobs of the cell's 20th company (none when a cell has fewer companies)
    SELECT cell_id, max(jobs) AS last_jobs
    FROM (
        SELECT cell_id, jobs, sum(companies) OVER (PARTITION BY cell_id ORDER BY jobs DESC) AS with_as_many
        FROM histogram
    )
    WHERE with_as_many >= 20
    GROUP BY cell_id
),
ranked AS (
    SELECT k.cell_id, o.company, k.jobs,
        row_number() OVER (PARTITION BY k.cell_id ORDER BY k.jobs DESC, o.first_seen) AS rank
    FROM cell_company_counts AS k
    LEFT JOIN cut USING (cell_id)
    JOIN companies AS o USING (company_id)
    WHERE k.jobs >= coalesce(cut.last_jobs, 0)
)
SELECT c.city, c.period, r.rank, r.company, r.jobs, round(100.0 * r.jobs / t.jobs, 1) AS pct
FROM ranked AS r
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, r.rank;
