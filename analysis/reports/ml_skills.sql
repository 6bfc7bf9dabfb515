-- The ML skills of AI-first jobs, as published (skills_analysis.py): per ML word of
-- _scope.sql published_terms, the AI-first jobs with a name holding it ("fine-tuning" also
-- finds "LLM fine-tuning"), as a share of AI-first jobs; ties in the published list's order.
WITH per_cell AS (
    SELECT cell_id, term_name AS skill, jobs
    FROM cell_term_jobs
    WHERE purpose = 'ml knowledge' AND ai_type = 'ai-first'
)
SELECT c.city, c.period,
    row_number() OVER (PARTITION BY p.cell_id ORDER BY p.jobs DESC, t.position) AS rank,
    p.skill, p.jobs, tot.ai_first_jobs, round(100.0 * p.jobs / tot.ai_first_jobs, 1) AS pct
FROM per_cell AS p
JOIN published_terms AS t ON t.purpose = 'ml knowledge' AND t.name = p.skill
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS tot USING (cell_id)
ORDER BY c.cell_id, rank;
