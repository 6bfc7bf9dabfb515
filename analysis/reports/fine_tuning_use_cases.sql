-- Why AI-first jobs fine-tune: for each use case (instruction following, domain knowledge,
-- ...) the jobs naming it, their share of AI-first jobs, and its mentions. A label source may
-- list a use case more than once for a job (the published labels count every use-case sentence:
-- its figures are mentions, and it ranks by them); jobs count each job once, printed beside.
WITH job_use_case AS (
    SELECT p.job_id, p.scope_group, u.value AS use_case, count(*) AS mentions
    FROM job_base AS p, json_each(p.fine_tuning_use_cases) AS u
    WHERE p.ai_type = 'ai-first' AND json_valid(p.fine_tuning_use_cases)
    GROUP BY p.job_id, u.value
),
per_group AS MATERIALIZED (
    SELECT scope_group, use_case, count(*) AS jobs, sum(mentions) AS mentions
    FROM job_use_case
    GROUP BY scope_group, use_case
),
per_cell AS (
    SELECT gc.cell_id, g.use_case, sum(g.jobs) AS jobs, sum(g.mentions) AS mentions
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.use_case
)
SELECT c.city, c.period, p.use_case, p.jobs, t.ai_first_jobs,
    round(100.0 * p.jobs / t.ai_first_jobs, 1) AS pct, p.mentions
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, p.mentions DESC, p.jobs DESC, p.use_case;
