-- Does a title word predict the work? Jobs whose title has the keyword, and how many of them
-- are AI-first. "indicates" reads 'support' below 50% AI-first, 'AI' from 50% on.
-- As in the published analysis, a keyword is any of its spellings found anywhere in the
-- lower-cased title (a substring: "platforms" and "back-end" count, and so does "production"
-- for Product), and Research includes "scientist", DevOps/SRE "reliability".
WITH keyword (position, keyword, spelling) AS (
    VALUES
        (1, 'Infrastructure', 'infrastructure'), (1, 'Infrastructure', 'infra'),
        (2, 'DevOps/SRE', 'devops'), (2, 'DevOps/SRE', 'sre'),
        (2, 'DevOps/SRE', 'site reliability'), (2, 'DevOps/SRE', 'reliability'),
        (3, 'Backend', 'backend'), (3, 'Backend', 'back-end'), (3, 'Backend', 'back end'),
        (4, 'Data Engineer', 'data engineer'), (4, 'Data Engineer', 'data platform'),
        (5, 'Platform', 'platform'),
        (6, 'Full Stack', 'full stack'), (6, 'Full Stack', 'full-stack'), (6, 'Full Stack', 'fullstack'),
        (7, 'Product', 'product'),
        (8, 'Solutions', 'solutions'),
        (9, 'Research', 'research'), (9, 'Research', 'scientist')
),
keyword_titles AS (
    SELECT DISTINCT k.position, k.keyword, t.title_id
    FROM titles AS t
    JOIN keyword AS k ON instr(lower(t.title), k.spelling) > 0
),
per_cell AS (
    SELECT c.cell_id, k.position, k.keyword,
        sum(c.jobs) AS jobs,
        sum(CASE WHEN c.ai_type = 'ai-first' THEN c.jobs ELSE 0 END) AS ai_first_jobs
    FROM keyword_titles AS k
    JOIN cell_title_counts AS c USING (title_id)
    GROUP BY c.cell_id, k.position, k.keyword
)
SELECT c.city, c.period, p.keyword, p.jobs, p.ai_first_jobs,
    round(100.0 * p.ai_first_jobs / p.jobs, 1) AS ai_first_pct,
    CASE WHEN 100.0 * p.ai_first_jobs / p.jobs < 50 THEN 'support' ELSE 'AI' END AS indicates
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, p.position;
