-- The 10 most frequent words in the titles of each AI type, as a share of that type's
-- titles. Seniority and filler words ("senior", "engineer", "of", ...) are left out.
WITH stop_word (word) AS (
    VALUES ('engineer'), ('engineering'), ('senior'), ('sr'), ('staff'), ('lead'), ('principal'),
        ('junior'), ('jr'), ('mid'), ('level'), ('associate'), ('founding'), ('distinguished'),
        ('i'), ('ii'), ('iii'), ('iv'), ('1'), ('2'), ('3'),
        ('a'), ('an'), ('and'), ('at'), ('for'), ('in'), ('of'), ('on'), ('the'), ('to'), ('with')
),
title_word AS (
    SELECT DISTINCT p.job_id, p.scope_group, p.ai_type, w.value AS word
    FROM job_profile AS p,
        json_each('["' || replace(trim(p.title_words), ' ', '","') || '"]') AS w
    WHERE p.ai_type IS NOT NULL
      AND w.value <> ''
      AND w.value NOT IN (SELECT word FROM stop_word)
),
per_group AS MATERIALIZED (
    SELECT scope_group, ai_type, word, count(*) AS titles
    FROM title_word
    GROUP BY scope_group, ai_type, word
),
per_cell AS (
    SELECT gc.cell_id, g.ai_type, g.word, sum(g.titles) AS titles,
        row_number() OVER (
            PARTITION BY gc.cell_id, g.ai_type ORDER BY sum(g.titles) DESC, g.word
        ) AS rank
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.ai_type, g.word
)
SELECT c.city, c.period, p.ai_type, p.rank, p.word, p.titles,
    CASE p.ai_type
        WHEN 'ai-first' THEN t.ai_first_jobs
        WHEN 'ai-support' THEN t.ai_support_jobs
        ELSE t.ml_jobs
    END AS type_titles,
    round(100.0 * p.titles / CASE p.ai_type
        WHEN 'ai-first' THEN t.ai_first_jobs
        WHEN 'ai-support' THEN t.ai_support_jobs
        ELSE t.ml_jobs
    END, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_totals AS t USING (cell_id)
WHERE p.rank <= 10
ORDER BY c.cell_id, p.ai_type, p.rank;
