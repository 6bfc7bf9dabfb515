-- Postings whose stated pay the pay table leaves out, per reason: a yearly figure under 1,000
-- ("1-1", "3-5", "40-40 Annually" are no yearly pay; the crawl keeps them as stated, with their
-- text), and pay without a period.
WITH per_group AS MATERIALIZED (
    SELECT p.scope_group,
        sum(p.salary_period IN ('year', 'month', 'week', 'day', 'hour')
            AND (coalesce(p.salary_min, p.salary_max) + coalesce(p.salary_max, p.salary_min)) / 2.0
                * CASE p.salary_period WHEN 'year' THEN 1 WHEN 'month' THEN 12 WHEN 'week' THEN 52
                                       WHEN 'day' THEN 260 WHEN 'hour' THEN 2080 END < 1000) AS under_1000,
        sum(p.salary_period IS NULL OR p.salary_period NOT IN ('year', 'month', 'week', 'day', 'hour')) AS no_period
    FROM job_base AS p
    WHERE coalesce(p.salary_min, p.salary_max) IS NOT NULL
    GROUP BY p.scope_group
),
per_cell AS (
    SELECT gc.cell_id, sum(g.under_1000) AS under_1000, sum(g.no_period) AS no_period
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
)
SELECT c.city, c.period, r.reason, coalesce(r.jobs, 0) AS jobs
FROM cells AS c
JOIN (SELECT c.cell_id, 1 AS position, 'yearly figure under 1,000' AS reason, p.under_1000 AS jobs
      FROM cells AS c LEFT JOIN per_cell AS p USING (cell_id)
      UNION ALL
      SELECT c.cell_id, 2, 'no pay period', p.no_period FROM cells AS c LEFT JOIN per_cell AS p USING (cell_id)) AS r
  USING (cell_id)
ORDER BY c.cell_id, r.position;
