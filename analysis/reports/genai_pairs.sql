-- Names of one job's genai list named together: the 15 most common pairs (names in A < B
-- order), ties in the order of the first job naming them (as published).
WITH genai_pairs AS (
    SELECT p.cell_id, a.skill AS skill_a, b.skill AS skill_b, p.jobs,
        row_number() OVER (PARTITION BY p.cell_id ORDER BY p.jobs DESC, p.first_seen, a.skill, b.skill) AS rank
    FROM cell_pair_counts AS p
    JOIN skills AS a ON a.skill_id = p.skill_a_id
    JOIN skills AS b ON b.skill_id = p.skill_b_id
)
SELECT c.city, c.period, g.rank, g.skill_a, g.skill_b, g.jobs,
    round(100.0 * g.jobs / t.jobs, 1) AS pct
FROM genai_pairs AS g
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE g.rank <= 15
ORDER BY c.cell_id, g.rank;
