-- The AI tech stack as the data shows it: the 5 most named skills of each layer, counted as
-- canonical skills (our definition: alternative names merged; the published stack gives no
-- numbers). application = web skills; AI orchestration = frameworks; LLM APIs = the 'llm api'
-- list (APIs, model families, model platforms); vector databases = the 'vector database' list;
-- infrastructure = the other cloud and ops skills.
WITH canonical AS (
    SELECT cell_id, skill, max(category) AS category, sum(jobs) AS jobs
    FROM cell_canonical_skills
    GROUP BY cell_id, skill
),
layer_skill AS (
    SELECT cell_id, 1 AS position, 'application' AS layer, skill, jobs FROM canonical WHERE category = 'web'
    UNION ALL
    SELECT cell_id, 2, 'AI orchestration', skill, jobs FROM canonical
    WHERE skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'framework')
    UNION ALL
    SELECT cell_id, 3, 'LLM APIs', skill, jobs FROM canonical
    WHERE skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'llm api')
    UNION ALL
    SELECT cell_id, 4, 'vector databases', skill, jobs FROM canonical
    WHERE skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'vector database')
    UNION ALL
    SELECT cell_id, 5, 'infrastructure', skill, jobs FROM canonical
    WHERE category IN ('cloud', 'ops')
      AND skill NOT IN (SELECT skill FROM skill_groups WHERE skill_group = 'llm api')
),
ranked AS (
    SELECT cell_id, position, layer, skill, jobs,
        row_number() OVER (PARTITION BY cell_id, position ORDER BY jobs DESC, skill) AS rank
    FROM layer_skill
)
SELECT c.city, c.period, r.layer, r.rank, r.skill, r.jobs, round(100.0 * r.jobs / t.jobs, 1) AS pct
FROM ranked AS r
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE r.rank <= 5
ORDER BY c.cell_id, r.position, r.rank;
