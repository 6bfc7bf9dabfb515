-- Skills compared between AI-first and AI-support jobs, as published
-- (support_skills_analysis.py): a job counts when any of its names, lower-cased, holds the
-- skill's name ("rag" is also found in "storage"); shares of each type's jobs. Beside it, ours:
-- named_*, the jobs naming the canonical skill itself.
WITH per_cell AS (
    SELECT cell_id, term_name AS skill,
        sum(CASE WHEN ai_type = 'ai-first' THEN jobs ELSE 0 END) AS ai_first_jobs,
        sum(CASE WHEN ai_type = 'ai-support' THEN jobs ELSE 0 END) AS ai_support_jobs
    FROM cell_term_jobs
    WHERE purpose = 'compared' AND ai_type IN ('ai-first', 'ai-support')
    GROUP BY cell_id, term_name
),
named AS (
    SELECT cell_id, skill,
        sum(CASE WHEN ai_type = 'ai-first' THEN jobs ELSE 0 END) AS ai_first_jobs,
        sum(CASE WHEN ai_type = 'ai-support' THEN jobs ELSE 0 END) AS ai_support_jobs
    FROM cell_canonical_skills
    WHERE skill IN (SELECT name FROM published_terms WHERE purpose = 'compared')
    GROUP BY cell_id, skill
)
SELECT c.city, c.period, t.position, t.name AS skill,
    coalesce(p.ai_first_jobs, 0) AS ai_first_jobs,
    round(100.0 * coalesce(p.ai_first_jobs, 0) / tot.ai_first_jobs, 1) AS ai_first_pct,
    coalesce(p.ai_support_jobs, 0) AS ai_support_jobs,
    round(100.0 * coalesce(p.ai_support_jobs, 0) / tot.ai_support_jobs, 1) AS ai_support_pct,
    coalesce(n.ai_first_jobs, 0) AS named_ai_first_jobs,
    round(100.0 * coalesce(n.ai_first_jobs, 0) / tot.ai_first_jobs, 1) AS named_ai_first_pct,
    coalesce(n.ai_support_jobs, 0) AS named_ai_support_jobs,
    round(100.0 * coalesce(n.ai_support_jobs, 0) / tot.ai_support_jobs, 1) AS named_ai_support_pct
FROM cells AS c
JOIN cell_totals AS tot USING (cell_id)
JOIN published_terms AS t ON t.purpose = 'compared'
LEFT JOIN per_cell AS p ON p.cell_id = c.cell_id AND p.skill = t.name
LEFT JOIN named AS n ON n.cell_id = c.cell_id AND n.skill = t.name
ORDER BY c.cell_id, t.position;
