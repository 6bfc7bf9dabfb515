-- How often the other label sources of the database agree with this one on the same jobs, per
-- category: jobs both labelled, jobs where both say the same, and that share. support_category
-- is compared on the jobs both call AI-support. The report's "How far to trust these labels".
WITH pairs AS MATERIALIZED (
    SELECT p.scope_group, o.labels AS other, l.*, o.ai_type AS o_ai_type, o.company_stage AS o_company_stage,
        o.is_customer_facing AS o_is_customer_facing, o.is_management AS o_is_management,
        o.is_research AS o_is_research, o.is_entry_level AS o_is_entry_level,
        o.fine_tuning AS o_fine_tuning, o.support_category AS o_support_category
    FROM source_labels AS l
    JOIN job_base AS p ON p.job_id = l.job_id
    JOIN main.job_labels AS o ON o.job_id = l.job_id AND o.labels <> l.labels
),
fields AS (
    SELECT scope_group, other, 1 AS position, 'ai_type' AS field, ai_type IS o_ai_type AS same FROM pairs
    UNION ALL SELECT scope_group, other, 2, 'company_stage', company_stage IS o_company_stage FROM pairs
    UNION ALL SELECT scope_group, other, 3, 'is_customer_facing',
        coalesce(is_customer_facing, 0) = coalesce(o_is_customer_facing, 0) FROM pairs
    UNION ALL SELECT scope_group, other, 4, 'is_management', coalesce(is_management, 0) = coalesce(o_is_management, 0) FROM pairs
    UNION ALL SELECT scope_group, other, 5, 'is_research', coalesce(is_research, 0) = coalesce(o_is_research, 0) FROM pairs
    UNION ALL SELECT scope_group, other, 6, 'is_entry_level', coalesce(is_entry_level, 0) = coalesce(o_is_entry_level, 0) FROM pairs
    UNION ALL SELECT scope_group, other, 7, 'fine_tuning', coalesce(fine_tuning, 'none') = coalesce(o_fine_tuning, 'none') FROM pairs
    UNION ALL SELECT scope_group, other, 8, 'support_category', support_category IS o_support_category FROM pairs
        WHERE ai_type = 'ai-support' AND o_ai_type = 'ai-support'
),
per_group AS MATERIALIZED (
    SELECT scope_group, other, position, field, count(*) AS jobs, sum(same) AS agreeing
    FROM fields
    GROUP BY scope_group, other, position, field
)
SELECT c.city, c.period, g.other AS other_labels, g.field, sum(g.jobs) AS jobs, sum(g.agreeing) AS agreeing_jobs,
    round(100.0 * sum(g.agreeing) / sum(g.jobs), 1) AS pct
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
JOIN cells AS c ON c.cell_id = gc.cell_id
GROUP BY c.cell_id, g.other, g.position
ORDER BY c.cell_id, g.other, g.position;
