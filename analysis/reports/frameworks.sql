-- GenAI framework popularity (frameworks listed in skill_groups): jobs and share of all jobs.
SELECT c.city, c.period,
    row_number() OVER (PARTITION BY cs.cell_id ORDER BY cs.jobs DESC, s.skill) AS rank,
    s.skill AS framework, cs.jobs, round(100.0 * cs.jobs / t.jobs, 1) AS pct
FROM cell_skills AS cs
JOIN skills AS s USING (skill_id)
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE s.skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'framework')
ORDER BY c.cell_id, rank;
