-- Does a title word predict the work? Jobs whose title has the word, and how many of them
-- are AI-first. "indicates" reads 'support' below 50% AI-first, 'AI' from 50% on.
WITH keyword (position, keyword, pattern) AS (
    VALUES
        (1, 'Infrastructure', '% infrastructure %'), (1, 'Infrastructure', '% infra %'),
        (2, 'DevOps/SRE', '% devops %'), (2, 'DevOps/SRE', '% sre %'),
        (2, 'DevOps/SRE', '% site reliability %'),
        (3, 'Backend', '% backend %'), (3, 'Backend', '% back end %'),
        (4, 'Data Engineer', '% data engineer %'), (4, 'Data Engineer', '% data engineering %'),
        (5, 'Platform', '% platform %'),
        (6, 'Full Stack', '% full stack %'), (6, 'Full Stack', '% fullstack %'),
        (7, 'Product', '% product %'),
        (8, 'Solutions', '% solutions %'), (8, 'Solutions', '% solution %'),
        (9, 'Research', '% research %')
),
keyword_jobs AS (
    SELECT DISTINCT k.position, k.keyword, p.job_id, p.scope_group, p.ai_type
    FROM job_profile AS p
    JOIN keyword AS k ON p.title_words LIKE k.pattern
),
per_group AS MATERIALIZED (
    SELECT scope_group, position, keyword, count(*) AS jobs, sum(ai_type = 'ai-first') AS ai_first_jobs
    FROM keyword_jobs
    GROUP BY scope_group, position, keyword
),
per_cell AS (
    SELECT gc.cell_id, g.position, g.keyword, sum(g.jobs) AS jobs, sum(g.ai_first_jobs) AS ai_first_jobs
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.position, g.keyword
)
SELECT c.city, c.period, p.keyword, p.jobs, p.ai_first_jobs,
    round(100.0 * p.ai_first_jobs / p.jobs, 1) AS ai_first_pct,
    CASE WHEN 100.0 * p.ai_first_jobs / p.jobs < 50 THEN 'support' ELSE 'AI' END AS indicates
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, p.position;
