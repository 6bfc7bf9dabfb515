-- Keywords in the titles of each AI type, as published (title_analysis.py): the share of the
-- type's titles holding the keyword anywhere in the lower-cased title ("ai" is also found in
-- "maintain", "ml" in "html"); every keyword found, most common first, ties in the published
-- list's order. Beside it, ours: whole_word_pct, the share holding it as a whole word.
WITH keyword (position, keyword) AS (
    VALUES (1, 'ai'), (2, 'machine learning'), (3, 'ml'), (4, 'data scientist'), (5, 'research'),
        (6, 'applied'), (7, 'engineer'), (8, 'developer'), (9, 'platform'), (10, 'infrastructure'),
        (11, 'product'), (12, 'solutions'), (13, 'full-stack'), (14, 'backend'), (15, 'frontend'),
        (16, 'devops'), (17, 'sre'), (18, 'agent'), (19, 'llm'), (20, 'genai'), (21, 'generative'),
        (22, 'model'), (23, 'deployment')
),
title_keyword AS MATERIALIZED (
    SELECT t.title_id, k.keyword, k.position,
        instr(t.words, ' ' || replace(k.keyword, '-', ' ') || ' ') > 0 AS whole_word
    FROM titles AS t
    JOIN keyword AS k ON instr(lower(t.title), k.keyword) > 0
),
per_cell AS (
    SELECT c.cell_id, c.ai_type, k.keyword, k.position, sum(c.jobs) AS titles,
        sum(CASE WHEN k.whole_word THEN c.jobs ELSE 0 END) AS whole_word_titles
    FROM title_keyword AS k
    JOIN cell_title_counts AS c USING (title_id)
    WHERE c.ai_type IS NOT NULL
    GROUP BY c.cell_id, c.ai_type, k.keyword
)
SELECT c.city, c.period, p.ai_type,
    row_number() OVER (PARTITION BY p.cell_id, p.ai_type ORDER BY p.titles DESC, p.position) AS rank,
    p.keyword, p.titles, t.titles AS type_titles, round(100.0 * p.titles / t.titles, 1) AS pct,
    p.whole_word_titles, round(100.0 * p.whole_word_titles / t.titles, 1) AS whole_word_pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_type_titles AS t ON t.cell_id = p.cell_id AND t.ai_type = p.ai_type
ORDER BY c.cell_id, p.ai_type, rank;
