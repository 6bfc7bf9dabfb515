-- Every skill with its jobs and share of all jobs; rank orders skills within their category
-- (genai, ml, web, databases, data, cloud, ops, languages, ...).
SELECT c.city, c.period, s.category,
    row_number() OVER (PARTITION BY cs.cell_id, s.category ORDER BY cs.jobs DESC, s.skill) AS rank,
    s.skill, cs.jobs, round(100.0 * cs.jobs / t.jobs, 1) AS pct
FROM cell_skills AS cs
JOIN skills AS s USING (skill_id)
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, s.category, rank;
