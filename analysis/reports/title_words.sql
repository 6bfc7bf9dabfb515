-- The 10 most frequent words in the titles of each AI type, as a share of that type's
-- titles (our definition: whole words). Seniority and filler words ("senior", "engineer", "of", ...) are left out
-- (_scope_profile.sql: title_words).
WITH per_cell AS (
    SELECT c.cell_id, c.ai_type, c.word, c.titles,
        row_number() OVER (
            PARTITION BY c.cell_id, c.ai_type ORDER BY c.titles DESC, c.word
        ) AS rank
    FROM cell_title_word_counts AS c  -- the words that can rank here (fill_titles: TOP_TITLE_WORDS)
)
SELECT c.city, c.period, p.ai_type, p.rank, p.word, p.titles, t.titles AS type_titles,
    round(100.0 * p.titles / t.titles, 1) AS pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_type_titles AS t ON t.cell_id = p.cell_id AND t.ai_type = p.ai_type
WHERE p.rank <= 10
ORDER BY c.cell_id, p.ai_type, p.rank;
