-- The 10 most frequent words in the titles of each AI type, as a share of that type's
-- titles (our definition: whole words). Seniority and filler words ("senior", "engineer", "of", ...) are left out.
WITH stop_word (word) AS (
    VALUES ('engineer'), ('engineering'), ('senior'), ('sr'), ('staff'), ('lead'), ('principal'),
        ('junior'), ('jr'), ('mid'), ('level'), ('associate'), ('founding'), ('distinguished'),
        ('i'), ('ii'), ('iii'), ('iv'), ('1'), ('2'), ('3'),
        ('a'), ('an'), ('and'), ('at'), ('for'), ('in'), ('of'), ('on'), ('the'), ('to'), ('with')
),
title_word AS MATERIALIZED (
    SELECT DISTINCT t.title_id, w.value AS word
    FROM titles AS t,
        json_each('["' || replace(trim(t.words), ' ', '","') || '"]') AS w
    WHERE w.value <> '' AND w.value NOT IN (SELECT word FROM stop_word)
),
per_cell AS (
    SELECT c.cell_id, c.ai_type, w.word, sum(c.jobs) AS titles,
        row_number() OVER (
            PARTITION BY c.cell_id, c.ai_type ORDER BY sum(c.jobs) DESC, w.word
        ) AS rank
    FROM title_word AS w
    JOIN cell_title_counts AS c USING (title_id)
    WHERE c.ai_type IS NOT NULL
    GROUP BY c.cell_id, c.ai_type, w.word
)
SELECT c.city, c.period, p.ai_type, p.rank, p.word, p.titles, t.titles AS type_titles,
    round(100.0 * p.titles / t.titles, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_type_titles AS t ON t.cell_id = p.cell_id AND t.ai_type = p.ai_type
WHERE p.rank <= 10
ORDER BY c.cell_id, p.ai_type, p.rank;
