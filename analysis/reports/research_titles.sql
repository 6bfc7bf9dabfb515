-- The 10 most common titles of research jobs: the report's "sample research titles".
WITH per_cell AS (
    SELECT k.cell_id, t.title, k.jobs,
        row_number() OVER (PARTITION BY k.cell_id ORDER BY k.jobs DESC, t.title) AS rank
    FROM cell_research_title_counts AS k  -- the titles that can rank here (fill_titles: TOP_RESEARCH_TITLES)
    JOIN titles AS t USING (title_id)
)
SELECT c.city, c.period, p.rank, p.title, p.jobs
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
WHERE p.rank <= 10
ORDER BY c.cell_id, p.rank;
