-- The AI tech stack as the data shows it: the 5 most named skills of each layer.
-- application = web skills; AI orchestration = frameworks; LLM APIs = the 'llm api' list
-- (APIs, model families, model platforms); vector databases = the 'vector database' list;
-- infrastructure = the other cloud and ops skills.
WITH layer_skill AS (
    SELECT 1 AS position, 'application' AS layer, skill_id FROM skills WHERE category = 'web'
    UNION ALL
    SELECT 2, 'AI orchestration', skill_id FROM skills
    WHERE skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'framework')
    UNION ALL
    SELECT 3, 'LLM APIs', skill_id FROM skills
    WHERE skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'llm api')
    UNION ALL
    SELECT 4, 'vector databases', skill_id FROM skills
    WHERE skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'vector database')
    UNION ALL
    SELECT 5, 'infrastructure', skill_id FROM skills
    WHERE category IN ('cloud', 'ops')
      AND skill NOT IN (SELECT skill FROM skill_groups WHERE skill_group = 'llm api')
),
ranked AS (
    SELECT cs.cell_id, l.position, l.layer, s.skill, cs.jobs,
        row_number() OVER (PARTITION BY cs.cell_id, l.position ORDER BY cs.jobs DESC, s.skill) AS rank
    FROM cell_skills AS cs
    JOIN layer_skill AS l USING (skill_id)
    JOIN skills AS s USING (skill_id)
)
SELECT c.city, c.period, r.layer, r.rank, r.skill, r.jobs, round(100.0 * r.jobs / t.jobs, 1) AS pct
FROM ranked AS r
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE r.rank <= 5
ORDER BY c.cell_id, r.position, r.rank;
