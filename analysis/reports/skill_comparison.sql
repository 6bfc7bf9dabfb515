-- Each skill's share of AI-first jobs next to its share of AI-support jobs.
WITH per_cell AS (
    SELECT k.cell_id, k.skill_id,
        sum(CASE WHEN g.ai_type = 'ai-first' THEN k.jobs ELSE 0 END) AS ai_first_jobs,
        sum(CASE WHEN g.ai_type = 'ai-support' THEN k.jobs ELSE 0 END) AS ai_support_jobs
    FROM cell_skill_counts AS k
    JOIN segments AS g USING (segment_id)
    WHERE g.ai_type IN ('ai-first', 'ai-support')
    GROUP BY k.cell_id, k.skill_id
)
SELECT c.city, c.period, s.category, s.skill,
    p.ai_first_jobs, round(100.0 * p.ai_first_jobs / t.ai_first_jobs, 1) AS ai_first_pct,
    p.ai_support_jobs, round(100.0 * p.ai_support_jobs / t.ai_support_jobs, 1) AS ai_support_pct
FROM per_cell AS p
JOIN skills AS s USING (skill_id)
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, p.ai_first_jobs + p.ai_support_jobs DESC, s.skill;
