-- Title variants: a title without its seniority words (senior, lead, staff, II, ...), so
-- "Senior AI Engineer" and "AI Engineer II" both count as "AI Engineer". Variants with at
-- least 2 jobs, with the share of their jobs per AI type. A variant is shown under its most
-- common title that has no seniority word (else its most common title).
WITH stripped AS MATERIALIZED (
    SELECT scope_group, ai_type, title, title_words,
        -- Doubling the spaces lets adjacent seniority words ("senior staff") both match.
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        replace(replace(replace(replace(replace(replace(replace(replace(replace(
            replace(title_words, ' ', '  '),
            ' senior ', ' '), ' sr ', ' '), ' staff ', ' '), ' lead ', ' '), ' principal ', ' '),
            ' junior ', ' '), ' jr ', ' '), ' mid ', ' '), ' level ', ' '), ' associate ', ' '),
            ' founding ', ' '), ' distinguished ', ' '), ' i ', ' '), ' ii ', ' '), ' iii ', ' '),
            ' iv ', ' '), ' 1 ', ' '), ' 2 ', ' '), ' 3 ', ' ') AS words
    FROM job_profile
    WHERE title IS NOT NULL
),
job_variant AS (
    SELECT scope_group, ai_type, title,
        trim(title_words) AS title_key,
        trim(replace(replace(replace(words, ' ', ' ' || char(31)), char(31) || ' ', ''), char(31), ''))
            AS variant
    FROM stripped
),
named_variant AS (
    SELECT scope_group, ai_type, variant,
        first_value(title) OVER (
            PARTITION BY variant ORDER BY title_key = variant DESC, title_jobs DESC, title
        ) AS title_variant
    FROM (SELECT *, count(*) OVER (PARTITION BY variant, title) AS title_jobs FROM job_variant)
),
per_group AS MATERIALIZED (
    SELECT scope_group, variant, title_variant,
        count(*) AS jobs,
        sum(ai_type = 'ai-first') AS ai_first_jobs,
        sum(ai_type = 'ai-support') AS ai_support_jobs,
        sum(ai_type = 'ml') AS ml_jobs
    FROM named_variant
    WHERE variant <> ''
    GROUP BY scope_group, variant
),
per_cell AS (
    SELECT gc.cell_id, g.variant, g.title_variant,
        sum(g.jobs) AS jobs,
        sum(g.ai_first_jobs) AS ai_first_jobs,
        sum(g.ai_support_jobs) AS ai_support_jobs,
        sum(g.ml_jobs) AS ml_jobs,
        row_number() OVER (PARTITION BY gc.cell_id ORDER BY sum(g.jobs) DESC, g.variant) AS rank
    FROM per_group AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.variant
    HAVING sum(g.jobs) >= 2
)
SELECT c.city, c.period, p.rank, p.title_variant, p.jobs,
    p.ai_first_jobs, round(100.0 * p.ai_first_jobs / p.jobs, 1) AS ai_first_pct,
    p.ai_support_jobs, round(100.0 * p.ai_support_jobs / p.jobs, 1) AS ai_support_pct,
    p.ml_jobs, round(100.0 * p.ml_jobs / p.jobs, 1) AS ml_pct
FROM per_cell AS p
JOIN cells AS c USING (cell_id)
ORDER BY c.cell_id, p.rank;
