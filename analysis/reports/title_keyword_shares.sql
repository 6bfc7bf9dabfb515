-- Keywords in the titles of each AI type, as published (title_analysis.py): the share of the
-- type's titles holding the keyword anywhere in the lower-cased title ("ai" is also found in
-- "maintain", "ml" in "html"); every keyword found, most common first, ties in the published
-- list's order. Beside it, ours: whole_word_pct, the share holding it as a whole word. The keywords
-- and the titles holding them: _scope_profile.sql, title_keyword_hits.
WITH per_cell AS (
    SELECT cell_id, ai_type, keyword, position, titles, whole_word_titles
    FROM cell_keyword_counts  -- (fill_titles)
)
SELECT c.city, c.period, p.ai_type,
    row_number() OVER (PARTITION BY p.cell_id, p.ai_type ORDER BY p.titles DESC, p.position) AS rank,
    p.keyword, p.titles, t.titles AS type_titles, round(100.0 * p.titles / t.titles, 1) AS pct,
    p.whole_word_titles, round(100.0 * p.whole_word_titles / t.titles, 1) AS whole_word_pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
JOIN cell_type_titles AS t ON t.cell_id = p.cell_id AND t.ai_type = p.ai_type
ORDER BY c.cell_id, p.ai_type, rank;
