-- GenAI framework popularity, as published: the genai list's names that are frameworks
-- (skill_groups), jobs and share of all jobs; ties in the order the data first names them.
SELECT c.city, c.period,
    row_number() OVER (PARTITION BY cs.cell_id ORDER BY cs.jobs DESC, f.first_seen, s.skill) AS rank,
    s.skill AS framework, cs.jobs, round(100.0 * cs.jobs / t.jobs, 1) AS pct
FROM cell_skills AS cs
JOIN skills AS s USING (skill_id)
JOIN skill_first_seen AS f USING (skill_id)
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE s.category = 'genai' AND s.skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'framework')
ORDER BY c.cell_id, rank;
