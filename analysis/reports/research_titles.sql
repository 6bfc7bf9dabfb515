-- The 10 most common titles of research jobs: the report's "sample research titles".
WITH per_group AS MATERIALIZED (
    SELECT scope_group, title, count(*) AS jobs
    FROM job_base
    WHERE is_research = 1 AND title IS NOT NULL
    GROUP BY scope_group, title
),
per_cell AS (
    SELECT gc.cell_id, g.title, sum(g.jobs) AS jobs,
        row_number() OVER (PARTITION BY gc.cell_id ORDER BY sum(g.jobs) DESC, g.title) AS rank
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.title
)
SELECT c.city, c.period, p.rank, p.title, p.jobs
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
WHERE p.rank <= 10
ORDER BY c.cell_id, p.rank;
