-- Most common exact job titles within each AI type (top 10 per type and scope).
WITH per_group AS MATERIALIZED (
    SELECT scope_group, ai_type, title, count(*) AS jobs
    FROM job_profile
    WHERE ai_type IS NOT NULL AND title IS NOT NULL
    GROUP BY scope_group, ai_type, title
),
per_cell AS (
    SELECT gc.cell_id, g.ai_type, g.title, sum(g.jobs) AS jobs,
        row_number() OVER (
            PARTITION BY gc.cell_id, g.ai_type ORDER BY sum(g.jobs) DESC, g.title
        ) AS rank
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.ai_type, g.title
)
SELECT c.city, c.period, p.ai_type, p.rank, p.title, p.jobs
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
WHERE p.rank <= 10
ORDER BY c.cell_id, p.ai_type, p.rank;
