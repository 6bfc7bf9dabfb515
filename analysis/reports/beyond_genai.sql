-- What else AI-first jobs ask for besides GenAI: jobs with a GenAI skill plus an ops, ML,
-- web or any other skill, and jobs with GenAI skills only, as shares of AI-first jobs.
WITH per_group AS MATERIALIZED (
    SELECT scope_group,
        sum(jobs) AS ai_first_jobs,
        sum(genai_ops_jobs) AS genai_ops,
        sum(genai_ml_jobs) AS genai_ml,
        sum(genai_web_jobs) AS genai_web,
        sum(genai_other_jobs) AS genai_other,
        sum(genai_only_jobs) AS genai_only
    FROM group_profile_counts
    WHERE ai_type = 'ai-first'
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id,
        sum(g.ai_first_jobs) AS ai_first_jobs,
        sum(g.genai_ops) AS genai_ops,
        sum(g.genai_ml) AS genai_ml,
        sum(g.genai_web) AS genai_web,
        sum(g.genai_other) AS genai_other,
        sum(g.genai_only) AS genai_only
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
),
combinations AS (
    SELECT cell_id, ai_first_jobs, 1 AS position, 'GenAI + ops' AS combination, genai_ops AS jobs FROM per_cell
    UNION ALL SELECT cell_id, ai_first_jobs, 2, 'GenAI + ML', genai_ml FROM per_cell
    UNION ALL SELECT cell_id, ai_first_jobs, 3, 'GenAI + web', genai_web FROM per_cell
    UNION ALL SELECT cell_id, ai_first_jobs, 4, 'GenAI + any other', genai_other FROM per_cell
    UNION ALL SELECT cell_id, ai_first_jobs, 5, 'pure GenAI', genai_only FROM per_cell
)
SELECT c.city, c.period, k.combination, k.jobs, k.ai_first_jobs,
    round(100.0 * k.jobs / k.ai_first_jobs, 1) AS pct
FROM combinations AS k
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, k.position;
