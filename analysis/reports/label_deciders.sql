-- Which source decided each job's AI type, and how sure the rules were: for the blended source
-- rules+llm:<model> (analysis/blend.py) the rules where their confidence reaches the threshold,
-- the model below it, and the rules below it where the model has not answered yet; for any
-- other source, that source, with (for the rules) how many fall below the threshold that
-- `python -m jobcrawler.label --only-uncertain` sends to an LLM. The report's "How far to trust
-- these labels".
WITH per_group AS MATERIALIZED (
    SELECT p.scope_group, l.decided_by, l.doubted, count(*) AS jobs
    FROM source_labels AS l
    JOIN job_base AS p ON p.job_id = l.job_id
    GROUP BY p.scope_group, l.decided_by, l.doubted
)
SELECT c.city, c.period, g.decided_by, g.doubted, (SELECT below FROM source_threshold) AS below,
    sum(g.jobs) AS jobs, round(100.0 * sum(g.jobs) / t.jobs, 1) AS pct
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
JOIN cells AS c ON c.cell_id = gc.cell_id
JOIN cell_totals AS t ON t.cell_id = c.cell_id
GROUP BY c.cell_id, g.decided_by, g.doubted
ORDER BY c.cell_id, g.doubted IS NOT NULL AND g.doubted, g.decided_by;
