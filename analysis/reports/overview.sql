-- What each scope covers: jobs, companies, city listings, sites, crawl and posting dates, and the
-- share of jobs naming RAG or agents (the report's closing "key insight"; searched as the
-- published comparison searches: a name holding "rag" or "agents").
-- (One pass over the jobs: per scope group and posted month, which per_group adds up; a job
-- without a posted date has no month.)
WITH group_months AS MATERIALIZED (
    SELECT scope_group, substr(posted_date, 1, 7) AS month,
        count(*) AS jobs,
        min(posted_date) AS first_posted,
        max(posted_date) AS last_posted,
        sum(has_rag_or_agents) AS rag_or_agents_jobs
    FROM job_profile
    GROUP BY scope_group, month
),
per_group AS (
    SELECT scope_group,
        sum(jobs) AS jobs,
        min(first_posted) AS first_posted,
        max(last_posted) AS last_posted,
        sum(rag_or_agents_jobs) AS rag_or_agents_jobs
    FROM group_months
    GROUP BY scope_group
),
per_cell AS (
    SELECT gc.cell_id,
        sum(g.jobs) AS jobs,
        min(g.first_posted) AS first_posted,
        max(g.last_posted) AS last_posted,
        sum(g.rag_or_agents_jobs) AS rag_or_agents_jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id
),
cell_posted_months AS (
    SELECT gc.cell_id, g.month, sum(g.jobs) AS jobs,
        row_number() OVER (PARTITION BY gc.cell_id ORDER BY sum(g.jobs) DESC, g.month DESC) AS position
    FROM group_months AS g
    JOIN group_cells AS gc USING (scope_group)
    WHERE g.month IS NOT NULL
    GROUP BY gc.cell_id, g.month
),
city_lists AS (
    SELECT c.cell_id, group_concat(listed.city, ', ') AS cities
    FROM cells AS c
    JOIN cells AS listed
      ON listed.city <> 'all' AND c.city IN (listed.city, 'all') AND listed.period = c.period
    GROUP BY c.cell_id
),
-- Each (run, city) of the sightings, in that order (sightings of no run first). A run with a start
-- gives every sighting of it its date and month: its (run, city) pairs are found first, then its
-- columns read once (sorting the ~200,000 sightings with their run's columns took 3-4 times as
-- long); sightings of no run, or of a run without a start, go by their own dates. The order
-- matters: cell_crawls lists the queries and sites in the order it reads them here
-- (group_concat(DISTINCT ...) keeps each at its first place), so ORDER BY 1, 2 lists them in run
-- order, not the runs with a start first (test_overview_reads_the_crawl_history_as_recorded).
run_cells AS MATERIALIZED (
    SELECT s.run_id, s.city, substr(r.started_at, 1, 7) AS period,
        date(r.started_at) AS first_crawl,
        date(r.started_at) AS last_crawl,
        r.query,
        -- a run of jobcrawler.fieldguide is an import of one dataset batch, not a crawl
        CASE WHEN r.spider = 'fieldguide' THEN json_extract(r.args, '$.batch') END AS imported_batch,
        coalesce(r.site, 'https://builtin.com') AS site  -- runs recorded before the column: the default site
    FROM (SELECT DISTINCT run_id, city FROM sightings) AS s
    JOIN crawl_runs AS r ON r.run_id = s.run_id
    WHERE r.started_at IS NOT NULL
    UNION ALL
    SELECT s.run_id, s.city, substr(coalesce(r.started_at, s.seen_at), 1, 7) AS period,
        min(date(coalesce(r.started_at, s.seen_at))) AS first_crawl,
        max(date(coalesce(r.started_at, s.seen_at))) AS last_crawl,
        r.query,
        CASE WHEN r.spider = 'fieldguide' THEN json_extract(r.args, '$.batch') END AS imported_batch,
        coalesce(r.site, 'https://builtin.com') AS site
    FROM sightings AS s
    LEFT JOIN crawl_runs AS r ON r.run_id = s.run_id
    WHERE r.started_at IS NULL
    GROUP BY s.run_id, s.city
    ORDER BY 1, 2
),
cell_crawls AS (
    SELECT c.cell_id,
        min(rc.first_crawl) AS first_crawl,
        max(rc.last_crawl) AS last_crawl,
        count(DISTINCT CASE WHEN rc.imported_batch IS NULL THEN rc.run_id END) AS crawl_runs,
        group_concat(DISTINCT rc.query) AS queries,
        group_concat(DISTINCT rc.site) AS sites
    FROM run_cells AS rc
    JOIN cells AS c ON c.city IN (rc.city, 'all') AND c.period IN (rc.period, 'all')
    GROUP BY c.cell_id
)
SELECT
    c.city,
    c.period,
    p.jobs,
    coalesce(cc.companies, 0) AS companies,
    l.cities,
    cr.queries,
    cr.sites,
    cr.crawl_runs,
    cr.first_crawl,
    cr.last_crawl,
    p.first_posted,
    p.last_posted,
    m.month AS main_posted_month,
    round(100.0 * m.jobs / p.jobs, 1) AS main_posted_month_pct,
    p.rag_or_agents_jobs,
    round(100.0 * p.rag_or_agents_jobs / p.jobs, 1) AS rag_or_agents_pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
LEFT JOIN cell_companies AS cc USING (cell_id)
LEFT JOIN city_lists AS l USING (cell_id)
LEFT JOIN cell_crawls AS cr USING (cell_id)
LEFT JOIN cell_posted_months AS m ON m.cell_id = p.cell_id AND m.position = 1
ORDER BY c.cell_id;
