-- Most common exact job titles within each AI type: the top 10 per type and scope, and every
-- title tying with the 10th; ties in the order of their first job of that type (as published).
WITH ranked AS (
    SELECT k.cell_id, k.ai_type, t.title, k.jobs,
        row_number() OVER (PARTITION BY k.cell_id, k.ai_type ORDER BY k.jobs DESC, k.first_seen) AS rank
    FROM cell_type_top_title_counts AS k  -- the titles that can rank here (fill_titles: TOP_TYPE_TITLES)
    JOIN titles AS t USING (title_id)
    WHERE k.ai_type IS NOT NULL
),
cut AS (SELECT cell_id, ai_type, jobs AS last_jobs FROM ranked WHERE rank = 10)
SELECT c.city, c.period, r.ai_type, r.rank, r.title, r.jobs
FROM ranked AS r
JOIN cells AS c USING (cell_id)
LEFT JOIN cut ON cut.cell_id = r.cell_id AND cut.ai_type = r.ai_type
WHERE r.rank <= 10 OR r.jobs >= cut.last_jobs
ORDER BY c.cell_id, r.ai_type, r.rank;
