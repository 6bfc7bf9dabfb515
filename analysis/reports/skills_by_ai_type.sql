-- Every skill name of each list within each AI type (the names as the source gives them, as
-- published), as a share of that type's jobs; rank orders names within (AI type, list), ties in
-- the order the type's jobs first name them. Feeds "GenAI skills in AI-support roles", "ML
-- skills in AI-first roles" and "non-GenAI skills expected".
WITH per_cell AS (
    SELECT k.cell_id, k.ai_type, s.category, s.skill, k.first_seen, k.jobs
    FROM cell_type_skill_counts AS k
    JOIN skills AS s USING (skill_id)
    WHERE k.ai_type IS NOT NULL
)
SELECT c.city, c.period, p.ai_type, p.category,
    row_number() OVER (
        PARTITION BY p.cell_id, p.ai_type, p.category ORDER BY p.jobs DESC, p.first_seen, p.skill
    ) AS rank,
    p.skill, p.jobs,
    CASE p.ai_type
        WHEN 'ai-first' THEN t.ai_first_jobs
        WHEN 'ai-support' THEN t.ai_support_jobs
        ELSE t.ml_jobs
    END AS type_jobs,
    round(100.0 * p.jobs / CASE p.ai_type
        WHEN 'ai-first' THEN t.ai_first_jobs
        WHEN 'ai-support' THEN t.ai_support_jobs
        ELSE t.ml_jobs
    END, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, p.ai_type, p.category, rank;
