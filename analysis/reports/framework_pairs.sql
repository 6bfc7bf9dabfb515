-- Frameworks named together in one job's genai list: the 10 most common pairs (names in A < B
-- order), ties in the order of the first job naming them (as published).
WITH framework_pairs AS (
    SELECT p.cell_id, a.skill AS framework_a, b.skill AS framework_b, p.jobs,
        row_number() OVER (PARTITION BY p.cell_id ORDER BY p.jobs DESC, p.first_seen, a.skill, b.skill) AS rank
    FROM cell_pair_counts AS p
    JOIN skills AS a ON a.skill_id = p.skill_a_id
    JOIN skills AS b ON b.skill_id = p.skill_b_id
    WHERE a.skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'framework')
      AND b.skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'framework')
)
SELECT c.city, c.period, f.rank, f.framework_a, f.framework_b, f.jobs,
    round(100.0 * f.jobs / t.jobs, 1) AS pct
FROM framework_pairs AS f
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE f.rank <= 10
ORDER BY c.cell_id, f.rank;
