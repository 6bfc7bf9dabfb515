-- Most common exact job titles within each AI type (top 10 per type and scope).
WITH ranked AS (
    SELECT k.cell_id, k.ai_type, t.title, k.jobs,
        row_number() OVER (PARTITION BY k.cell_id, k.ai_type ORDER BY k.jobs DESC, t.title) AS rank
    FROM cell_title_counts AS k
    JOIN titles AS t USING (title_id)
    WHERE k.ai_type IS NOT NULL
)
SELECT c.city, c.period, r.ai_type, r.rank, r.title, r.jobs
FROM ranked AS r
JOIN cells AS c USING (cell_id)
WHERE r.rank <= 10
ORDER BY c.cell_id, r.ai_type, r.rank;
