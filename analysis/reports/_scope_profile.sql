-- The scope tables built on _scope.sql's (build.py runs this script next, and each counting of
-- analysis/cell_counts.py once its tables are made): job profiles, titles, companies, skills per
-- cell, pay.

-- Jobs with a fine-tuning word in the title, responsibilities or use cases (published_terms).
CREATE TEMP TABLE fine_tuning_texts AS
WITH texts AS MATERIALIZED (
    SELECT l.job_id, lower(coalesce(j.title, '') || ' ' || coalesce(l.responsibilities, '') || ' '
                           || coalesce(l.use_cases, '')) AS text
    FROM job_base AS j  -- the title without reading the jobs' long rows
    JOIN source_labels AS l ON l.job_id = j.job_id
    WHERE j.ai_type = 'ai-first'  -- the published analysis looked at no other type
)
SELECT job_id FROM texts
WHERE EXISTS (SELECT 1 FROM published_terms AS t WHERE t.purpose = 'fine-tuning mention' AND instr(text, t.term) > 0);
CREATE UNIQUE INDEX temp.fine_tuning_texts_by_job ON fine_tuning_texts (job_id);

-- Ours: jobs naming a concrete ML skill of the taxonomy (the generic "machine learning", often
-- the company's field, left out).
-- (+job_id: read the table as stored, not through the job_id index, which would look up each row.)
CREATE TEMP TABLE concrete_ml_jobs AS
SELECT DISTINCT +job_id AS job_id FROM source_skills WHERE category = 'ml' AND skill <> 'machine learning';
CREATE UNIQUE INDEX temp.concrete_ml_jobs_by_job ON concrete_ml_jobs (job_id);

-- One row per job with everything the reports group or filter on: job_base's columns and what
-- the job's names say.
CREATE TEMP TABLE job_profile AS
SELECT
    j.job_id,
    j.scope_group,
    j.title,
    j.company,
    j.posted_date,
    j.ai_type,
    j.company_stage,
    j.stage_group,
    j.exact_stage_group,
    j.is_customer_facing,
    j.is_management,
    j.is_tech_lead,
    j.is_research,
    j.is_entry_level,
    j.is_frontend,
    j.is_backend,
    j.is_fullstack,
    -- what the job's names say: job_names' flags, bit by bit (_scope.sql)
    -- as published: a name holding a frontend / backend / ML word (published_terms)
    coalesce(w.flags & 1, 0) AS has_frontend_word,
    coalesce((w.flags >> 1) & 1, 0) AS has_backend_word,
    coalesce((w.flags >> 2) & 1, 0) AS has_ml_word,
    j.fine_tuning,
    j.fine_tuning_use_cases,
    j.support_category,
    -- as published (finetuning_analysis.py): a fine-tuning word in the title, responsibilities,
    -- use cases or genai/ml names; a source's fine-tuning duty always counts
    (j.fine_tuning <> 'none' OR coalesce((w.flags >> 3) & 1, 0)
     OR j.job_id IN (SELECT job_id FROM fine_tuning_texts)) AS mentions_fine_tuning,
    coalesce((w.flags >> 5) & 1, 0) AS has_genai,
    coalesce((w.flags >> 6) & 1, 0) AS has_ml,
    coalesce((w.flags >> 7) & 1, 0) AS has_web,
    coalesce((w.flags >> 8) & 1, 0) AS has_ops,
    coalesce((w.flags >> 9) & 1, 0) AS has_non_genai,
    coalesce((w.flags >> 4) & 1, 0) AS has_rag_or_agents,
    -- ours: a concrete ML skill, the generic "machine learning" (often the company's field) left out
    j.job_id IN (SELECT job_id FROM concrete_ml_jobs) AS has_concrete_ml
FROM job_base AS j
LEFT JOIN job_names AS w ON w.ordinal = j.ordinal;
CREATE UNIQUE INDEX temp.job_profile_by_job ON job_profile (job_id);

-- The small reports' counts per scope group, each job counted once here rather than once a report
-- (100,000 postings: each report grouped job_base's or job_profile's 100,000 rows again; these hold
-- ~13,000 and ~1,000: the stage groups follow from the stage, so they add few). Every count is of
-- jobs, so a report adds them up into the same numbers (a sum over no value but NULLs stays NULL:
-- is_tech_lead). group_base_counts reads job_base only, so the reports of its columns need no
-- listed name (build_parallel.py); group_profile_counts adds what the jobs' names say, per AI type.
CREATE TEMP TABLE group_base_counts AS
SELECT scope_group, ai_type, company_stage, stage_group, exact_stage_group, fine_tuning, support_category,
    count(*) AS jobs,
    sum(is_entry_level) AS entry_level_jobs,
    sum(is_research) AS research_jobs,
    sum(is_customer_facing) AS customer_facing_jobs,
    sum(is_management) AS management_jobs,
    sum(is_tech_lead) AS tech_lead_jobs
FROM job_base
GROUP BY scope_group, ai_type, company_stage, stage_group, exact_stage_group, fine_tuning, support_category;
CREATE TEMP TABLE group_profile_counts AS
SELECT scope_group, ai_type,
    count(*) AS jobs,
    sum(has_ml_word) AS ml_word_jobs,
    sum(has_concrete_ml) AS concrete_ml_jobs,
    sum(has_genai) AS genai_jobs,
    sum(has_genai AND has_ops) AS genai_ops_jobs,
    sum(has_genai AND has_ml) AS genai_ml_jobs,
    sum(has_genai AND has_web) AS genai_web_jobs,
    sum(has_genai AND has_non_genai) AS genai_other_jobs,
    sum(has_genai AND NOT has_non_genai) AS genai_only_jobs,
    sum(mentions_fine_tuning) AS fine_tuning_jobs,
    sum(fine_tuning IN ('primary', 'secondary')) AS fine_tuning_duty_jobs,
    sum(has_frontend_word) AS frontend_word_jobs,
    sum(has_backend_word) AS backend_word_jobs,
    sum(has_frontend_word AND has_backend_word) AS fullstack_word_jobs,
    sum(is_frontend) AS frontend_jobs,
    sum(is_backend) AS backend_jobs,
    sum(is_fullstack) AS fullstack_jobs
FROM job_profile
GROUP BY scope_group, ai_type;

-- Denominators: jobs per cell, overall and per AI type. Added up from group_base_counts (~13,000
-- rows, not job_base's 100,000): a job of no AI type counts in no AI type's sum, as
-- sum(ai_type = 'ai-first') over job_base leaves it out (NULL times jobs is NULL; a group whose
-- jobs all lack one stays NULL, as before).
CREATE TEMP TABLE cell_totals AS
WITH per_group AS MATERIALIZED (
    SELECT scope_group,
        sum(jobs) AS jobs,
        sum((ai_type = 'ai-first') * jobs) AS ai_first_jobs,
        sum((ai_type = 'ai-support') * jobs) AS ai_support_jobs,
        sum((ai_type = 'ml') * jobs) AS ml_jobs
    FROM group_base_counts
    GROUP BY scope_group
)
SELECT gc.cell_id,
    sum(g.jobs) AS jobs,
    sum(g.ai_first_jobs) AS ai_first_jobs,
    sum(g.ai_support_jobs) AS ai_support_jobs,
    sum(g.ml_jobs) AS ml_jobs
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
GROUP BY gc.cell_id;

-- Titles by id. Title reports work per distinct title, since a job has one title:
--   words   the title lower-cased, punctuation turned into spaces, runs of spaces made one
--           (the char(31) trick) and padded with a space at both ends, so LIKE '% word %'
--           matches whole words;
--   variant the lower-cased title without the seniority words the published analysis
--           removed (senior, staff, principal, lead, junior, sr, I, II, III), as whole words,
--           punctuation kept: "Senior AI Engineer" and "AI Engineer II" are both "ai engineer",
--           "Software Engineer, AI" and "Software Engineer - AI" stay apart. Doubling the spaces
--           first lets adjacent seniority words ("senior staff") both go. Our definition.
--   published_variant  as published (title_analysis.py): the lower-cased title with each of
--           senior, staff, principal, lead, junior, sr., sr, iii, ii, i removed wherever it
--           stands, in that order, trimming spaces after each: "i" goes from inside words too
--           ("ai engineer" becomes "a engneer"), which merges and splits a few titles.
--   first_seen  the title's first job (ties rank in that order, as published).
CREATE TEMP TABLE titles (title_id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, words TEXT, variant TEXT,
                          published_variant TEXT, first_seen TEXT);
INSERT INTO titles (title, first_seen) SELECT title, min(job_id) FROM job_base WHERE title IS NOT NULL GROUP BY title;
UPDATE titles SET published_variant = trim(replace(trim(replace(trim(replace(trim(replace(trim(replace(
    trim(replace(trim(replace(trim(replace(trim(replace(trim(replace(trim(replace(
        lower(title),
        'senior', ''), ' ' || char(9) || char(10) || char(13)), 'staff', ''), ' ' || char(9) || char(10) || char(13)),
        'principal', ''), ' ' || char(9) || char(10) || char(13)), 'lead', ''), ' ' || char(9) || char(10) || char(13)),
        'junior', ''), ' ' || char(9) || char(10) || char(13)), 'sr.', ''), ' ' || char(9) || char(10) || char(13)),
        'sr', ''), ' ' || char(9) || char(10) || char(13)), 'lead', ''), ' ' || char(9) || char(10) || char(13)),
        'iii', ''), ' ' || char(9) || char(10) || char(13)), 'ii', ''), ' ' || char(9) || char(10) || char(13)),
        'i', ''), ' ' || char(9) || char(10) || char(13));
UPDATE titles SET words = ' ' || replace(replace(replace(
    trim(lower(
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
            title,
            '-', ' '), '–', ' '), '—', ' '), '/', ' '), ',', ' '), '(', ' '), ')', ' '),
            '[', ' '), ']', ' '), '&', ' '), ':', ' '), ';', ' '), '.', ' '), '|', ' '),
            '"', ' '), '\', ' '), '!', ' '), '?', ' '), char(9), ' '), char(10), ' ')
    )),
    ' ', ' ' || char(31)), char(31) || ' ', ''), char(31), '') || ' ';
UPDATE titles SET variant = trim(replace(replace(replace(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        replace(' ' || lower(replace(replace(title, char(9), ' '), char(10), ' ')) || ' ', ' ', '  '),
        ' senior ', ' '), ' staff ', ' '), ' principal ', ' '), ' lead ', ' '), ' junior ', ' '),
        ' sr. ', ' '), ' sr ', ' '), ' iii ', ' '), ' ii ', ' '), ' i ', ' '),
    ' ', ' ' || char(31)), char(31) || ' ', ''), char(31), ''));

-- The words of each title report_title_words counts (whole words, each once a title): seniority
-- and filler words ("senior", "engineer", "of", ...) left out.
CREATE TEMP TABLE title_words AS
WITH stop_word (word) AS (
    VALUES ('engineer'), ('engineering'), ('senior'), ('sr'), ('staff'), ('lead'), ('principal'),
        ('junior'), ('jr'), ('mid'), ('level'), ('associate'), ('founding'), ('distinguished'),
        ('i'), ('ii'), ('iii'), ('iv'), ('1'), ('2'), ('3'),
        ('a'), ('an'), ('and'), ('at'), ('for'), ('in'), ('of'), ('on'), ('the'), ('to'), ('with')
)
SELECT DISTINCT t.title_id, w.value AS word
FROM titles AS t,
    json_each('["' || replace(trim(t.words), ' ', '","') || '"]') AS w
WHERE w.value <> '' AND w.value NOT IN (SELECT word FROM stop_word);

-- The keywords report_title_keyword_shares counts, as published (title_analysis.py), in the published
-- list's order (position), and the titles holding each anywhere in the lower-cased title (whole_word:
-- ours, as a whole word).
CREATE TEMP TABLE title_keyword_hits AS
WITH keyword (position, keyword) AS (
    VALUES (1, 'ai'), (2, 'machine learning'), (3, 'ml'), (4, 'data scientist'), (5, 'research'),
        (6, 'applied'), (7, 'engineer'), (8, 'developer'), (9, 'platform'), (10, 'infrastructure'),
        (11, 'product'), (12, 'solutions'), (13, 'full-stack'), (14, 'backend'), (15, 'frontend'),
        (16, 'devops'), (17, 'sre'), (18, 'agent'), (19, 'llm'), (20, 'genai'), (21, 'generative'),
        (22, 'model'), (23, 'deployment')
)
SELECT t.title_id, k.keyword, k.position,
    instr(t.words, ' ' || replace(k.keyword, '-', ' ') || ' ') > 0 AS whole_word
FROM titles AS t
JOIN keyword AS k ON instr(lower(t.title), k.keyword) > 0;

-- Jobs per cell, AI type and exact title, and the first of them by its ordinal (job_order: in job
-- id order; ties rank in that order), the AI type by a key (ai_type_key: AI types in order, none first), as a key can hold no NULL.
-- Counted by analysis/cell_counts.py (fill_titles: the SQL it stands for is quoted there).
CREATE TEMP TABLE ai_types (ai_type_key INTEGER PRIMARY KEY, ai_type TEXT UNIQUE);
INSERT INTO ai_types (ai_type) SELECT DISTINCT ai_type FROM segments ORDER BY ai_type;
CREATE TEMP TABLE cell_title_counts (
    cell_id INTEGER NOT NULL, ai_type_key INTEGER NOT NULL, title_id INTEGER NOT NULL, ai_type TEXT,
    jobs INTEGER NOT NULL, first_seen INTEGER NOT NULL,
    PRIMARY KEY (cell_id, ai_type_key, title_id)
) WITHOUT ROWID;
-- Its rows of the titles report_top_titles can list (as many jobs over every AI type as the cell's
-- 25th title or more) and of those report_ai_type_titles can list (as many as the cell's and AI
-- type's 10th or more): those rankings sort ~2,500 and ~3,000 rows instead of ~63,000 (fill_titles).
CREATE TEMP TABLE cell_top_title_counts (
    cell_id INTEGER NOT NULL, ai_type_key INTEGER NOT NULL, title_id INTEGER NOT NULL, ai_type TEXT,
    jobs INTEGER NOT NULL, first_seen INTEGER NOT NULL,
    PRIMARY KEY (cell_id, ai_type_key, title_id)
) WITHOUT ROWID;
CREATE TEMP TABLE cell_type_top_title_counts (
    cell_id INTEGER NOT NULL, ai_type_key INTEGER NOT NULL, title_id INTEGER NOT NULL, ai_type TEXT,
    jobs INTEGER NOT NULL, first_seen INTEGER NOT NULL,
    PRIMARY KEY (cell_id, ai_type_key, title_id)
) WITHOUT ROWID;
-- Titles per cell, AI type and title keyword (title_keyword_hits), and those holding it as a whole
-- word (fill_titles).
CREATE TEMP TABLE cell_keyword_counts (
    cell_id INTEGER NOT NULL, ai_type_key INTEGER NOT NULL, ai_type TEXT NOT NULL, keyword, position,
    titles NOT NULL, whole_word_titles NOT NULL,
    PRIMARY KEY (cell_id, ai_type_key, keyword)
) WITHOUT ROWID;
-- Research jobs per cell and title, of the titles report_research_titles can list (as many jobs as
-- the cell's 10th or more; fill_titles).
CREATE TEMP TABLE cell_research_title_counts (
    cell_id INTEGER NOT NULL, title_id INTEGER NOT NULL, jobs NOT NULL, PRIMARY KEY (cell_id, title_id)
) WITHOUT ROWID;
-- Titles per cell, AI type and title word, of the words report_title_words can list (as many
-- titles as the 10th word of the cell and AI type or more; fill_titles).
CREATE TEMP TABLE cell_title_word_counts (
    cell_id INTEGER NOT NULL, ai_type_key INTEGER NOT NULL, ai_type TEXT NOT NULL, word, titles NOT NULL,
    PRIMARY KEY (cell_id, ai_type_key, word)
) WITHOUT ROWID;
-- report_title_variants' groups per cell (the titles' published_variant, of 2 jobs or more), ranked
-- in the cell by jobs, then by their first title (fill_titles): its ~35,000 rows not grouped again
-- from ~63,000 rows of cell_title_counts.
CREATE TEMP TABLE cell_variant_counts (
    cell_id INTEGER NOT NULL, published_variant TEXT NOT NULL, jobs INTEGER NOT NULL, ai_first_jobs INTEGER NOT NULL,
    ai_support_jobs INTEGER NOT NULL, ml_jobs INTEGER NOT NULL, rank INTEGER NOT NULL,
    PRIMARY KEY (cell_id, published_variant)
) WITHOUT ROWID;

-- Each AI type's jobs with a title per cell (unknown included): the denominator of the title
-- word and title keyword shares.
CREATE TEMP TABLE cell_type_titles AS
SELECT cell_id, ai_type, sum(jobs) AS titles
FROM cell_title_counts
WHERE ai_type IS NOT NULL
GROUP BY cell_id, ai_type;
-- By cell and AI type: the title word and keyword reports look each of their rows' denominator up.
CREATE UNIQUE INDEX temp.cell_type_titles_by_cell ON cell_type_titles (cell_id, ai_type);

-- The title a published variant is shown under: its most common title without a seniority
-- word, else the variant's own words cut from its most common title, in that title's case
-- ("Sr. Generative AI Engineer" -> "Generative AI Engineer"; SQLite's lower() keeps every
-- position), else that title; variant is that title's whole-word variant (ours).
CREATE TEMP TABLE variant_names AS
WITH title_jobs AS (
    SELECT c.title_id, sum(c.jobs) AS jobs
    FROM cell_title_counts AS c
    JOIN cells USING (cell_id)
    WHERE cells.city = 'all' AND cells.period = 'all'
    GROUP BY c.title_id
)
SELECT published_variant,
    CASE WHEN instr(lower(title), variant) > 0 THEN substr(title, instr(lower(title), variant), length(variant))
         ELSE title END AS title,
    variant
FROM (
    SELECT t.published_variant, t.title, t.variant,
        row_number() OVER (
            PARTITION BY t.published_variant ORDER BY lower(t.title) = t.variant DESC, j.jobs DESC, t.first_seen
        ) AS position
    FROM titles AS t
    JOIN title_jobs AS j USING (title_id)
)
WHERE position = 1;
CREATE UNIQUE INDEX temp.variant_names_by_variant ON variant_names (published_variant);

-- Companies by id, jobs per cell and company (only the companies report_top_companies can list:
-- as many jobs as the cell's 20th company or more), and companies per cell (the overview's
-- count), both counted by analysis/cell_counts.py (fill_companies: the SQL it stands for is
-- quoted there).
CREATE TEMP TABLE companies (company_id INTEGER PRIMARY KEY, company TEXT NOT NULL UNIQUE, first_seen TEXT);
INSERT INTO companies (company, first_seen)
SELECT company, min(job_id) FROM job_base WHERE company IS NOT NULL GROUP BY company;
CREATE TEMP TABLE cell_company_counts (
    cell_id INTEGER NOT NULL, company_id INTEGER NOT NULL, jobs INTEGER NOT NULL,
    PRIMARY KEY (cell_id, company_id)
) WITHOUT ROWID;
CREATE TEMP TABLE cell_companies (cell_id INTEGER PRIMARY KEY, companies INTEGER NOT NULL);

-- Our definition's counts: jobs per cell, AI type and canonical skill (alternative names
-- merged). A source without lists of its own names canonical skills already: its listed counts.
CREATE TEMP TABLE cell_canonical_skills AS
WITH per_group AS MATERIALIZED (
    SELECT p.scope_group, p.ai_type, k.skill, max(k.category) AS category, count(*) AS jobs
    FROM source_skills AS k
    JOIN job_profile AS p ON p.job_id = k.job_id
    WHERE (SELECT keeps_lists FROM source_kind)
    GROUP BY p.scope_group, p.ai_type, k.skill
)
SELECT gc.cell_id, g.ai_type, g.skill, max(g.category) AS category, sum(g.jobs) AS jobs
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
GROUP BY gc.cell_id, g.ai_type, g.skill
UNION ALL
SELECT k.cell_id, k.ai_type, s.skill, s.category, k.jobs
FROM cell_type_skill_counts AS k
JOIN skills AS s USING (skill_id)
WHERE NOT (SELECT keeps_lists FROM source_kind);
CREATE INDEX temp.cell_canonical_skills_by_skill ON cell_canonical_skills (cell_id, skill);

-- Pay: the postings stating pay with a period and their yearly figure, as pay.sql defines them,
-- per scope group, currency, level, AI type and figure (group_pay); the quartiles per cell and
-- grouping (all, level, AI type; pay_groups, per currency) over the sorted figures of the cell's
-- postings (cell_pay_quartiles: by analysis/cell_counts.py, fill_pay, which quotes the SQL it
-- stands for; report_pay rounds them).
CREATE TEMP TABLE group_pay AS
WITH stated AS MATERIALIZED (
    SELECT p.scope_group,
        -- the posting's text read only where the pay data names no currency (coalesce stops at the first value)
        coalesce(p.salary_currency,
                 currency_in_text((SELECT j.description FROM jobs AS j WHERE j.job_id = p.job_id), p.salary_min, p.salary_max),
                 'not stated') AS currency,
        coalesce(p.level, 'not stated') AS level,
        coalesce(p.ai_type, 'unknown') AS ai_type,
        p.salary_period <> 'year' AS converted,
        (coalesce(p.salary_min, p.salary_max) + coalesce(p.salary_max, p.salary_min)) / 2.0
            * CASE p.salary_period WHEN 'year' THEN 1 WHEN 'month' THEN 12 WHEN 'week' THEN 52
                                   WHEN 'day' THEN 260 WHEN 'hour' THEN 2080 END AS annual
    FROM job_base AS p
    WHERE coalesce(p.salary_min, p.salary_max) IS NOT NULL
      AND p.salary_period IN ('year', 'month', 'week', 'day', 'hour')
)
SELECT scope_group, currency, level, ai_type, annual, count(*) AS jobs, sum(converted) AS converted
FROM stated
WHERE annual >= 1000
GROUP BY scope_group, currency, level, ai_type, annual;

CREATE TEMP TABLE pay_groups (
    group_key INTEGER PRIMARY KEY, currency TEXT NOT NULL, group_by TEXT NOT NULL, group_value TEXT NOT NULL,
    UNIQUE (currency, group_by, group_value)
);
INSERT INTO pay_groups (currency, group_by, group_value)
SELECT currency, 'all', 'all' FROM group_pay
UNION SELECT currency, 'level', level FROM group_pay
UNION SELECT currency, 'AI type', ai_type FROM group_pay
ORDER BY 1, 2, 3;

CREATE TEMP TABLE cell_pay_quartiles (
    cell_id INTEGER NOT NULL, group_key INTEGER NOT NULL, jobs INTEGER NOT NULL, converted INTEGER NOT NULL,
    q1 REAL, median REAL, q3 REAL,  -- NULL where SQLite's arithmetic gives NULL (inf x 0: an infinite figure)
    PRIMARY KEY (cell_id, group_key)
) WITHOUT ROWID;

