-- Customer-facing, management (of people) and technical-lead jobs and their share of all jobs;
-- tech lead is NULL where the label source does not tell technical leadership apart.
WITH per_group AS MATERIALIZED (
    SELECT scope_group,
        sum(customer_facing_jobs) AS customer_facing,
        sum(management_jobs) AS management,
        sum(tech_lead_jobs) AS tech_lead
    FROM group_base_counts
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id,
        sum(g.customer_facing) AS customer_facing,
        sum(g.management) AS management,
        sum(g.tech_lead) AS tech_lead
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
),
role_counts AS (
    SELECT cell_id, 1 AS position, 'customer-facing' AS role, customer_facing AS jobs FROM per_cell
    UNION ALL
    SELECT cell_id, 2, 'management', management FROM per_cell
    UNION ALL
    SELECT cell_id, 3, 'tech lead', tech_lead FROM per_cell
)
SELECT c.city, c.period, r.role, r.jobs, round(100.0 * r.jobs / t.jobs, 1) AS pct
FROM role_counts AS r
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, r.position;
