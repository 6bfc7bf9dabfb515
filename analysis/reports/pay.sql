-- Pay: the yearly salary the postings that state pay offer, by level and by AI type, per currency.
-- A posting's figure is the midpoint of its range (its one bound when it states only one),
-- annualized: hour x 2,080 (40 h x 52 weeks), day x 260, week x 52, month x 12. Currencies are
-- never converted or guessed: a posting without one counts under 'not stated'; one without a pay
-- period is left out. Quartiles interpolate between the sorted midpoints (q1, median, q3);
-- jobs = n of the group; pct = its share of all jobs in the cell; converted = how many of its
-- figures were annualized from an hourly, daily, weekly or monthly rate.
WITH pay AS MATERIALIZED (
    SELECT p.scope_group,
        coalesce(j.salary_currency, 'not stated') AS currency,
        coalesce(j.level, 'not stated') AS level,
        coalesce(p.ai_type, 'unknown') AS ai_type,
        j.salary_period <> 'year' AS converted,
        (coalesce(j.salary_min, j.salary_max) + coalesce(j.salary_max, j.salary_min)) / 2.0
            * CASE j.salary_period WHEN 'year' THEN 1 WHEN 'month' THEN 12 WHEN 'week' THEN 52
                                   WHEN 'day' THEN 260 WHEN 'hour' THEN 2080 END AS annual
    FROM job_profile AS p
    JOIN jobs AS j ON j.job_id = p.job_id
    WHERE coalesce(j.salary_min, j.salary_max) IS NOT NULL
      AND j.salary_period IN ('year', 'month', 'week', 'day', 'hour')
),
grouped AS (
    SELECT gc.cell_id, pay.currency, 'all' AS group_by, 'all' AS group_value, pay.converted, pay.annual
    FROM pay JOIN group_cells AS gc USING (scope_group)
    UNION ALL
    SELECT gc.cell_id, pay.currency, 'level', pay.level, pay.converted, pay.annual
    FROM pay JOIN group_cells AS gc USING (scope_group)
    UNION ALL
    SELECT gc.cell_id, pay.currency, 'AI type', pay.ai_type, pay.converted, pay.annual
    FROM pay JOIN group_cells AS gc USING (scope_group)
),
ranked AS (
    SELECT *,
        row_number() OVER (PARTITION BY cell_id, currency, group_by, group_value ORDER BY annual) - 1 AS position,
        count(*) OVER (PARTITION BY cell_id, currency, group_by, group_value) AS n
    FROM grouped
),
marked AS (  -- the two sorted positions each quartile lies between, and how far between
    SELECT *,
        cast((n - 1) * 0.25 AS INTEGER) AS k1, (n - 1) * 0.25 - cast((n - 1) * 0.25 AS INTEGER) AS f1,
        cast((n - 1) * 0.5 AS INTEGER) AS k2, (n - 1) * 0.5 - cast((n - 1) * 0.5 AS INTEGER) AS f2,
        cast((n - 1) * 0.75 AS INTEGER) AS k3, (n - 1) * 0.75 - cast((n - 1) * 0.75 AS INTEGER) AS f3
    FROM ranked
),
quartiles AS (
    SELECT cell_id, currency, group_by, group_value, n AS jobs, sum(converted) AS converted,
        max(CASE WHEN position = k1 THEN annual END) * (1 - max(f1))
            + coalesce(max(CASE WHEN position = k1 + 1 THEN annual END), 0) * max(f1) AS q1,
        max(CASE WHEN position = k2 THEN annual END) * (1 - max(f2))
            + coalesce(max(CASE WHEN position = k2 + 1 THEN annual END), 0) * max(f2) AS median,
        max(CASE WHEN position = k3 THEN annual END) * (1 - max(f3))
            + coalesce(max(CASE WHEN position = k3 + 1 THEN annual END), 0) * max(f3) AS q3
    FROM marked
    GROUP BY cell_id, currency, group_by, group_value
)
SELECT c.city, c.period, q.currency, q.group_by, q.group_value, q.jobs,
    round(100.0 * q.jobs / t.jobs, 1) AS pct,
    cast(round(q.q1) AS INTEGER) AS q1, cast(round(q.median) AS INTEGER) AS median,
    cast(round(q.q3) AS INTEGER) AS q3, q.converted
FROM quartiles AS q
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, q.currency, q.group_by <> 'all', q.group_by, q.jobs DESC, q.group_value;
