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
-- _scope.sql works each posting's figure out as defined here (group_pay) and counts the postings
-- stating the same figure together, per cell, grouping and figure (cell_pay_counts, in that
-- order): the quartiles read one ordered pass over those counts (~130,000 at 100,000 postings).
WITH ranked AS (  -- a figure stands at sorted positions [before, before + jobs)
    SELECT *,
        sum(jobs) OVER (PARTITION BY cell_id, group_key ORDER BY annual ROWS UNBOUNDED PRECEDING) - jobs AS before,
        sum(jobs) OVER (PARTITION BY cell_id, group_key) AS n
    FROM cell_pay_counts
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
    JOIN pay_groups AS k USING (group_key)
)
SELECT c.city, c.period, q.currency, q.group_by, q.group_value, q.jobs,
    round(100.0 * q.jobs / t.jobs, 1) AS pct,
    cast(round(q.q1) AS INTEGER) AS q1, cast(round(q.median) AS INTEGER) AS median,
    cast(round(q.q3) AS INTEGER) AS q3, q.converted
FROM quartiles AS q
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, q.currency, q.group_by <> 'all', q.group_by, q.jobs DESC, q.group_value;
