-- Pay: the yearly salary the postings that state pay offer, by level and by AI type, per currency.
-- A posting's figure is the midpoint of its range (its one bound when it states only one),
-- annualized: hour x 2,080 (40 h x 52 weeks), day x 260, week x 52, month x 12. Currencies are
-- never converted or guessed: where the pay data names none, the currency the posting's text
-- writes against its own pay figure ("£225,000—£255,000 GBP") is taken (currency_in_text,
-- jobcrawler/normalize/salary.py, registered by build.py), else it counts under 'not stated'; a
-- posting without a pay period is left out, and so is a yearly figure under 1,000 ("1-1",
-- "40-40 Annually": no yearly pay; report_pay_left_out counts them). Quartiles interpolate between the sorted midpoints (q1, median, q3);
-- jobs = n of the group; pct = its share of all jobs in the cell; converted = how many of its
-- figures were annualized from an hourly, daily, weekly or monthly rate.
--
-- Speed: a posting's figure stands in about twenty (cell, grouping) lists, so the rows sorted
-- carry integer ids only (a group_key per currency, grouping and value), and the postings of a
-- list that state the same figure are counted together and ranked as one run of positions.
WITH stated AS MATERIALIZED (
    SELECT p.scope_group,
        coalesce(j.salary_currency, currency_in_text(j.description, j.salary_min, j.salary_max), 'not stated') AS currency,
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
pay AS MATERIALIZED (SELECT * FROM stated WHERE annual >= 1000),
by_value AS MATERIALIZED (  -- each posting under each of its three groupings
    SELECT scope_group, currency, 'all' AS group_by, 'all' AS group_value, converted, annual FROM pay
    UNION ALL
    SELECT scope_group, currency, 'level', level, converted, annual FROM pay
    UNION ALL
    SELECT scope_group, currency, 'AI type', ai_type, converted, annual FROM pay
),
group_keys AS MATERIALIZED (
    SELECT row_number() OVER (ORDER BY currency, group_by, group_value) AS group_key, currency, group_by, group_value
    FROM (SELECT DISTINCT currency, group_by, group_value FROM by_value)
),
keyed AS MATERIALIZED (
    SELECT v.scope_group, k.group_key, v.annual, count(*) AS jobs, sum(v.converted) AS converted
    FROM by_value AS v
    JOIN group_keys AS k ON k.currency = v.currency AND k.group_by = v.group_by AND k.group_value = v.group_value
    GROUP BY v.scope_group, k.group_key, v.annual
),
counted AS (  -- postings of a cell stating the same figure, counted together
    SELECT gc.cell_id, v.group_key, v.annual, sum(v.jobs) AS jobs, sum(v.converted) AS converted
    FROM keyed AS v
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, v.group_key, v.annual
),
ranked AS (  -- a figure stands at sorted positions [before, before + jobs)
    SELECT *,
        sum(jobs) OVER (PARTITION BY cell_id, group_key ORDER BY annual ROWS UNBOUNDED PRECEDING) - jobs AS before,
        sum(jobs) OVER (PARTITION BY cell_id, group_key) AS n
    FROM counted
),
marked AS (  -- the two sorted positions each quartile lies between, and how far between
    SELECT *,
        cast((n - 1) * 0.25 AS INTEGER) AS k1, (n - 1) * 0.25 - cast((n - 1) * 0.25 AS INTEGER) AS f1,
        cast((n - 1) * 0.5 AS INTEGER) AS k2, (n - 1) * 0.5 - cast((n - 1) * 0.5 AS INTEGER) AS f2,
        cast((n - 1) * 0.75 AS INTEGER) AS k3, (n - 1) * 0.75 - cast((n - 1) * 0.75 AS INTEGER) AS f3
    FROM ranked
),
quartile_keys AS (
    SELECT cell_id, group_key, n AS jobs, sum(converted) AS converted,
        max(CASE WHEN k1 >= before AND k1 < before + jobs THEN annual END) * (1 - max(f1))
            + coalesce(max(CASE WHEN k1 + 1 >= before AND k1 + 1 < before + jobs THEN annual END), 0) * max(f1) AS q1,
        max(CASE WHEN k2 >= before AND k2 < before + jobs THEN annual END) * (1 - max(f2))
            + coalesce(max(CASE WHEN k2 + 1 >= before AND k2 + 1 < before + jobs THEN annual END), 0) * max(f2) AS median,
        max(CASE WHEN k3 >= before AND k3 < before + jobs THEN annual END) * (1 - max(f3))
            + coalesce(max(CASE WHEN k3 + 1 >= before AND k3 + 1 < before + jobs THEN annual END), 0) * max(f3) AS q3
    FROM marked
    GROUP BY cell_id, group_key
),
quartiles AS (
    SELECT q.cell_id, k.currency, k.group_by, k.group_value, q.jobs, q.converted, q.q1, q.median, q.q3
    FROM quartile_keys AS q
    JOIN group_keys AS k USING (group_key)
)
SELECT c.city, c.period, q.currency, q.group_by, q.group_value, q.jobs,
    round(100.0 * q.jobs / t.jobs, 1) AS pct,
    cast(round(q.q1) AS INTEGER) AS q1, cast(round(q.median) AS INTEGER) AS median,
    cast(round(q.q3) AS INTEGER) AS q3, q.converted
FROM quartiles AS q
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, q.currency, q.group_by <> 'all', q.group_by, q.jobs DESC, q.group_value;
