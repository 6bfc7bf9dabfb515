-- Every skill name of each list (genai, ml, web, databases, data, cloud, ops, languages, ...)
-- with its jobs and share of all jobs, as published: the names the label source gives within
-- one list, "Postgres" and "PostgreSQL" apart (the rule tagger's names are its canonical ones).
-- rank orders the names of a list, ties in the order the data first names them (as published).
-- Beside it, ours: merged_jobs, the jobs naming the name's canonical skill under any of its
-- names in any list, and merged_names, the other names merged into it.
SELECT c.city, c.period, s.category,
    row_number() OVER (PARTITION BY cs.cell_id, s.category ORDER BY cs.jobs DESC, f.first_seen, s.skill) AS rank,
    s.skill, cs.jobs, round(100.0 * cs.jobs / t.jobs, 1) AS pct, nc.skill AS canonical,
    (SELECT sum(m.jobs) FROM cell_canonical_skills AS m WHERE m.cell_id = cs.cell_id AND m.skill = nc.skill) AS merged_jobs,
    (SELECT group_concat(name, ', ') FROM (SELECT o.name FROM canonical_names AS o
                                           WHERE o.skill = nc.skill AND o.name <> s.skill ORDER BY o.name)) AS merged_names
FROM cell_skills AS cs
JOIN skills AS s USING (skill_id)
JOIN skill_first_seen AS f USING (skill_id)
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
LEFT JOIN name_canonical AS nc ON nc.name = s.skill
ORDER BY c.cell_id, s.category, rank;
