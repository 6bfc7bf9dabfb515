-- AI-first jobs that mention fine-tuning, as published (finetuning_analysis.py): a fine-tuning
-- word (_scope.sql published_terms: fine-tun, custom model, domain-specific, adaptation, LoRA,
-- ...) in the title, responsibilities, use cases or genai/ml names, or a fine-tuning duty.
-- Beside it, duty_jobs: the jobs with a primary or secondary fine-tuning duty (the depth table).
WITH per_group AS MATERIALIZED (
    SELECT scope_group, sum(jobs) AS jobs,
        sum(fine_tuning_jobs) AS fine_tuning_jobs,
        sum(fine_tuning_duty_jobs) AS duty_jobs
    FROM group_profile_counts
    WHERE ai_type = 'ai-first'
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id, sum(g.jobs) AS ai_first_jobs, sum(g.fine_tuning_jobs) AS fine_tuning_jobs,
        sum(g.duty_jobs) AS duty_jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
)
SELECT c.city, c.period, p.ai_first_jobs, p.fine_tuning_jobs AS jobs,
    round(100.0 * p.fine_tuning_jobs / p.ai_first_jobs, 1) AS pct,
    p.duty_jobs, round(100.0 * p.duty_jobs / p.ai_first_jobs, 1) AS duty_pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id;
