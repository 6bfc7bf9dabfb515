-- The 25 most common exact job titles in each scope, and every title tying with the 25th;
-- ties in the order of their first job (as published).
WITH per_cell AS (
    SELECT k.cell_id, t.title, sum(k.jobs) AS jobs,
        row_number() OVER (PARTITION BY k.cell_id ORDER BY sum(k.jobs) DESC, t.first_seen) AS rank
    FROM cell_top_title_counts AS k  -- the titles that can rank here (fill_titles: TOP_TITLES)
    JOIN titles AS t USING (title_id)
    GROUP BY k.cell_id, k.title_id
),
cut AS (SELECT cell_id, jobs AS last_jobs FROM per_cell WHERE rank = 25)
SELECT c.city, c.period, p.rank, p.title, p.jobs, round(100.0 * p.jobs / t.jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
LEFT JOIN cut USING (cell_id)
WHERE p.rank <= 25 OR p.jobs >= cut.last_jobs
ORDER BY c.cell_id, p.rank;
