-- The scope tables read off cell_skill_counts, which analysis/cell_counts.py fills after
-- _scope.sql (build.py runs this file next).

-- Jobs per cell and skill, whatever the AI type and stage.
CREATE TEMP TABLE cell_skills AS
SELECT cell_id, skill_id, sum(jobs) AS jobs
FROM cell_skill_counts
GROUP BY cell_id, skill_id;

-- Our definition's counts: jobs per cell, AI type and canonical skill (alternative names
-- merged). A source without lists of its own names canonical skills already: its listed counts.
CREATE TEMP TABLE cell_canonical_skills AS
WITH per_group AS MATERIALIZED (
    SELECT p.scope_group, p.ai_type, k.skill, max(k.category) AS category, count(*) AS jobs
    FROM source_skills AS k
    JOIN job_profile AS p ON p.job_id = k.job_id
    WHERE (SELECT keeps_lists FROM source_kind)
    GROUP BY p.scope_group, p.ai_type, k.skill
)
SELECT gc.cell_id, g.ai_type, g.skill, max(g.category) AS category, sum(g.jobs) AS jobs
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
GROUP BY gc.cell_id, g.ai_type, g.skill
UNION ALL
SELECT k.cell_id, g.ai_type, s.skill, s.category, sum(k.jobs)
FROM cell_skill_counts AS k
JOIN segments AS g USING (segment_id)
JOIN skills AS s USING (skill_id)
WHERE NOT (SELECT keeps_lists FROM source_kind)
GROUP BY k.cell_id, g.ai_type, k.skill_id;
CREATE INDEX temp.cell_canonical_skills_by_skill ON cell_canonical_skills (cell_id, skill);
