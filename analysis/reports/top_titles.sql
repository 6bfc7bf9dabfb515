-- The 25 most common exact job titles in each scope.
WITH per_cell AS (
    SELECT k.cell_id, t.title, sum(k.jobs) AS jobs,
        row_number() OVER (PARTITION BY k.cell_id ORDER BY sum(k.jobs) DESC, t.title) AS rank
    FROM cell_title_counts AS k
    JOIN titles AS t USING (title_id)
    GROUP BY k.cell_id, k.title_id
)
SELECT c.city, c.period, p.rank, p.title, p.jobs, round(100.0 * p.jobs / t.jobs, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE p.rank <= 25
ORDER BY c.cell_id, p.rank;
