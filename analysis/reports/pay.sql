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
-- _scope_profile.sql works each posting's figure out as defined here (group_pay) and
-- analysis/cell_counts.py (fill_pay, which quotes the SQL it stands for) the quartiles per cell
-- and grouping over the sorted figures (cell_pay_quartiles): linear between the two figures a
-- quartile's position (n - 1) x 0.25, 0.5 or 0.75 falls between.
SELECT c.city, c.period, k.currency, k.group_by, k.group_value, q.jobs,
    round(100.0 * q.jobs / t.jobs, 1) AS pct,
    cast(round(q.q1) AS INTEGER) AS q1, cast(round(q.median) AS INTEGER) AS median,
    cast(round(q.q3) AS INTEGER) AS q3, q.converted
FROM cell_pay_quartiles AS q
JOIN pay_groups AS k USING (group_key)
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
ORDER BY c.cell_id, k.currency, k.group_by <> 'all', k.group_by, q.jobs DESC, k.group_value;
