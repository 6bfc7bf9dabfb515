-- Temporary building blocks shared by every report query (they vanish with the connection).
--
-- Labels. The reports read one label source: build.py defines the views source_labels (the
-- job_labels rows of that source) and source_skills (its job_skills rows). Only jobs the
-- source labelled count.
--
-- Scope. Every report row belongs to one (city, period) cell:
--   city   = a city key from cities.yaml, or 'all';
--   period = the month 'YYYY-MM' of a crawl run, or 'all'.
-- A job counts in the cell of every city listing and crawl month it was seen in
-- (sightings + crawl_runs), and in the rollups (city, 'all'), ('all', month), ('all', 'all').
--
-- Speed. Copying each job once per cell would multiply the work by ~6. Instead, jobs that
-- belong to the same set of cells share a scope_group; a report counts per scope_group first
-- and then adds the groups up into cells through group_cells. Every report number is a count
-- of jobs, so these sums are exact. Skills, titles, companies and (AI type, stage group)
-- pairs get integer ids before they are counted: sorting ids is much faster than sorting text.

-- Where and when each job was seen. Jobs stored without a run fall back to job_cities dates.
CREATE TEMP TABLE job_city_period AS
SELECT DISTINCT s.job_id, s.city, substr(coalesce(r.started_at, s.seen_at), 1, 7) AS period
FROM sightings AS s
LEFT JOIN crawl_runs AS r ON r.run_id = s.run_id
WHERE coalesce(r.started_at, s.seen_at) IS NOT NULL
UNION
SELECT c.job_id, c.city, substr(seen.day, 1, 7)
FROM job_cities AS c
JOIN (SELECT job_id, city, first_seen AS day FROM job_cities
      UNION SELECT job_id, city, last_seen FROM job_cities) AS seen
  ON seen.job_id = c.job_id AND seen.city = c.city
WHERE seen.day IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM sightings AS s WHERE s.job_id = c.job_id AND s.city = c.city)
ORDER BY 1, 2, 3;

-- A job's cells as one text key: equal keys, same scope_group.
CREATE TEMP TABLE job_cells AS
SELECT j.job_id, coalesce(seen.cells, '') AS cells
FROM source_labels AS j
LEFT JOIN (
    SELECT job_id, group_concat(city || '@' || period, ' ') AS cells
    FROM job_city_period
    GROUP BY job_id
) AS seen ON seen.job_id = j.job_id;

CREATE TEMP TABLE scope_groups (scope_group INTEGER PRIMARY KEY, cells TEXT NOT NULL UNIQUE);
INSERT INTO scope_groups (cells) SELECT DISTINCT cells FROM job_cells;

-- The cells of each scope group, read off one job of the group.
CREATE TEMP TABLE group_city_period AS
WITH representative AS (
    SELECT g.scope_group, min(jc.job_id) AS job_id
    FROM job_cells AS jc
    JOIN scope_groups AS g ON g.cells = jc.cells
    GROUP BY g.scope_group
)
SELECT scope_group, 'all' AS city, 'all' AS period FROM representative
UNION
SELECT r.scope_group, p.city, 'all' FROM representative AS r JOIN job_city_period AS p USING (job_id)
UNION
SELECT r.scope_group, 'all', p.period FROM representative AS r JOIN job_city_period AS p USING (job_id)
UNION
SELECT r.scope_group, p.city, p.period FROM representative AS r JOIN job_city_period AS p USING (job_id);

-- cell_id order puts the 'all' rollups first, so report tables list them first.
CREATE TEMP TABLE cells (
    cell_id INTEGER PRIMARY KEY,
    city TEXT NOT NULL,
    period TEXT NOT NULL,
    UNIQUE (city, period)
);
INSERT INTO cells (city, period)
SELECT DISTINCT city, period FROM group_city_period
ORDER BY city <> 'all', city, period <> 'all', period;

CREATE TEMP TABLE group_cells AS
SELECT g.scope_group, c.cell_id
FROM group_city_period AS g
JOIN cells AS c ON c.city = g.city AND c.period = g.period;
CREATE INDEX temp.group_cells_by_group ON group_cells (scope_group);

-- Skill lists the report names by hand (names as in jobcrawler/tagging/taxonomy.yaml):
-- GenAI frameworks, LLM APIs and model families, vector databases.
CREATE TEMP TABLE skill_groups (skill_group TEXT NOT NULL, skill TEXT NOT NULL);
INSERT INTO skill_groups (skill_group, skill) VALUES
    ('framework', 'LangChain'), ('framework', 'LangGraph'), ('framework', 'LlamaIndex'),
    ('framework', 'CrewAI'), ('framework', 'AutoGen'), ('framework', 'Semantic Kernel'),
    ('llm api', 'OpenAI API'), ('llm api', 'Anthropic API'), ('llm api', 'Gemini'),
    ('llm api', 'Mistral'), ('llm api', 'Llama'), ('llm api', 'AWS Bedrock'),
    ('llm api', 'Vertex AI'), ('llm api', 'Azure AI Foundry'), ('llm api', 'Hugging Face'),
    ('llm api', 'vLLM'),
    ('vector database', 'vector databases'), ('vector database', 'Pinecone'),
    ('vector database', 'Weaviate'), ('vector database', 'pgvector'),
    ('vector database', 'FAISS'), ('vector database', 'Chroma'),
    ('vector database', 'Qdrant'), ('vector database', 'Milvus');

-- Skills by id, and each job's skills as ids.
CREATE TEMP TABLE skills (skill_id INTEGER PRIMARY KEY, skill TEXT NOT NULL, category TEXT);
-- The distinct (category, skill) pairs come off the (category, skill) index of every source; the
-- source's own are those it has a row of (looked up through the same index). DISTINCT over the
-- source's rows would read all of them (100,000 postings: 0.8 s of CPU against 0.03 s).
INSERT INTO skills (skill, category)
SELECT p.skill, p.category
FROM (SELECT DISTINCT category, skill FROM main.job_skills) AS p
WHERE EXISTS (SELECT 1 FROM source_skills AS s WHERE s.skill = p.skill AND s.category IS p.category)
ORDER BY p.category, p.skill;
CREATE INDEX temp.skills_by_name ON skills (skill, category);

CREATE TEMP TABLE job_skill_ids AS
SELECT k.job_id, s.skill_id
FROM source_skills AS k
JOIN skills AS s ON s.skill = k.skill AND s.category IS k.category;
CREATE INDEX temp.job_skill_ids_by_job ON job_skill_ids (job_id);

-- One row per job with everything the reports group or filter on.
CREATE TEMP TABLE job_profile AS
SELECT
    j.job_id,
    g.scope_group,
    j.title,
    j.company,
    j.posted_date,
    l.ai_type,
    l.company_stage,
    CASE
        WHEN l.company_stage = 'Seed' THEN 'Seed'
        WHEN l.company_stage IN ('Series A', 'Series B', 'Series C') THEN 'Series A-C'
        WHEN l.company_stage IN ('Series D+', 'Public') THEN 'Series D+/Public'
    END AS stage_group,
    coalesce(l.is_customer_facing, 0) AS is_customer_facing,
    coalesce(l.is_management, 0) AS is_management,
    l.is_tech_lead,  -- NULL where the source does not tell technical leads apart (the published labels)
    coalesce(l.is_research, 0) AS is_research,
    coalesce(l.is_entry_level, 0) AS is_entry_level,
    coalesce(l.is_frontend, 0) AS is_frontend,
    coalesce(l.is_backend, 0) AS is_backend,
    coalesce(l.is_fullstack, 0) AS is_fullstack,
    coalesce(l.fine_tuning, 'none') AS fine_tuning,
    l.fine_tuning_use_cases,
    l.support_category,
    coalesce(k.has_genai, 0) AS has_genai,
    coalesce(k.has_ml, 0) AS has_ml,
    coalesce(k.has_web, 0) AS has_web,
    coalesce(k.has_ops, 0) AS has_ops,
    coalesce(k.has_non_genai, 0) AS has_non_genai,
    coalesce(k.has_rag_or_agents, 0) AS has_rag_or_agents,
    coalesce(k.has_fine_tuning_skill, 0) AS has_fine_tuning_skill
FROM jobs AS j
JOIN source_labels AS l ON l.job_id = j.job_id
JOIN job_cells AS jc ON jc.job_id = j.job_id
JOIN scope_groups AS g ON g.cells = jc.cells
LEFT JOIN (
    SELECT k.job_id,
        max(s.category = 'genai') AS has_genai,
        -- a concrete ML skill: the generic "machine learning" (often the company's field) is not one
        max(s.category = 'ml' AND s.skill <> 'machine learning') AS has_ml,
        max(s.category = 'web') AS has_web,
        max(s.category = 'ops') AS has_ops,
        max(coalesce(s.category, '') <> 'genai') AS has_non_genai,
        max(s.skill IN ('RAG', 'agents')) AS has_rag_or_agents,
        max(s.skill = 'fine-tuning') AS has_fine_tuning_skill
    FROM job_skill_ids AS k
    JOIN skills AS s USING (skill_id)
    GROUP BY k.job_id
) AS k ON k.job_id = j.job_id;
CREATE UNIQUE INDEX temp.job_profile_by_job ON job_profile (job_id);

-- Denominators: jobs per cell, overall and per AI type.
CREATE TEMP TABLE cell_totals AS
WITH per_group AS MATERIALIZED (
    SELECT scope_group,
        count(*) AS jobs,
        sum(ai_type = 'ai-first') AS ai_first_jobs,
        sum(ai_type = 'ai-support') AS ai_support_jobs,
        sum(ai_type = 'ml') AS ml_jobs
    FROM job_profile
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
--           first lets adjacent seniority words ("senior staff") both go.
CREATE TEMP TABLE titles (title_id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, words TEXT, variant TEXT);
INSERT INTO titles (title) SELECT DISTINCT title FROM job_profile WHERE title IS NOT NULL;
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

-- Jobs per cell, AI type and exact title.
CREATE TEMP TABLE cell_title_counts AS
WITH per_group AS MATERIALIZED (
    SELECT p.scope_group, p.ai_type, t.title_id, count(*) AS jobs
    FROM job_profile AS p
    JOIN titles AS t ON t.title = p.title
    GROUP BY p.scope_group, p.ai_type, t.title_id
)
SELECT gc.cell_id, g.ai_type, g.title_id, sum(g.jobs) AS jobs
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
GROUP BY gc.cell_id, g.ai_type, g.title_id;

-- The title a variant is shown under: its most common title without a seniority word, else the
-- variant's own words cut from its most common title, in that title's case ("Sr. Generative AI
-- Engineer" -> "Generative AI Engineer"; SQLite's lower() keeps every position), else that title.
CREATE TEMP TABLE variant_names AS
WITH title_jobs AS (
    SELECT c.title_id, sum(c.jobs) AS jobs
    FROM cell_title_counts AS c
    JOIN cells USING (cell_id)
    WHERE cells.city = 'all' AND cells.period = 'all'
    GROUP BY c.title_id
)
SELECT variant,
    CASE WHEN instr(lower(title), variant) > 0 THEN substr(title, instr(lower(title), variant), length(variant))
         ELSE title END AS title
FROM (
    SELECT t.variant, t.title,
        row_number() OVER (
            PARTITION BY t.variant ORDER BY lower(t.title) = t.variant DESC, j.jobs DESC, t.title
        ) AS position
    FROM titles AS t
    JOIN title_jobs AS j USING (title_id)
)
WHERE position = 1;
CREATE UNIQUE INDEX temp.variant_names_by_variant ON variant_names (variant);

-- Companies by id, and jobs per cell and company.
CREATE TEMP TABLE companies (company_id INTEGER PRIMARY KEY, company TEXT NOT NULL UNIQUE);
INSERT INTO companies (company) SELECT DISTINCT company FROM job_profile WHERE company IS NOT NULL;

CREATE TEMP TABLE cell_company_counts AS
WITH per_group AS MATERIALIZED (
    SELECT p.scope_group, c.company_id, count(*) AS jobs
    FROM job_profile AS p
    JOIN companies AS c ON c.company = p.company
    GROUP BY p.scope_group, c.company_id
)
SELECT gc.cell_id, g.company_id, sum(g.jobs) AS jobs
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
GROUP BY gc.cell_id, g.company_id;

-- Job segments: one id per (AI type, stage group).
CREATE TEMP TABLE segments (segment_id INTEGER PRIMARY KEY, ai_type TEXT, stage_group TEXT);
INSERT INTO segments (ai_type, stage_group) SELECT DISTINCT ai_type, stage_group FROM job_profile;

CREATE TEMP TABLE job_segments AS
SELECT p.job_id, p.scope_group, s.segment_id
FROM job_profile AS p
JOIN segments AS s ON s.ai_type IS p.ai_type AND s.stage_group IS p.stage_group;
CREATE UNIQUE INDEX temp.job_segments_by_job ON job_segments (job_id);

-- Jobs per cell, segment and skill: the base of every skill report.
CREATE TEMP TABLE cell_skill_counts AS
WITH per_group AS MATERIALIZED (
    SELECT j.scope_group, j.segment_id, k.skill_id, count(*) AS jobs
    FROM job_skill_ids AS k
    JOIN job_segments AS j ON j.job_id = k.job_id
    GROUP BY j.scope_group, j.segment_id, k.skill_id
)
SELECT gc.cell_id, g.segment_id, g.skill_id, sum(g.jobs) AS jobs
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
GROUP BY gc.cell_id, g.segment_id, g.skill_id;

-- Jobs per cell and skill, whatever the AI type and stage.
CREATE TEMP TABLE cell_skills AS
SELECT cell_id, skill_id, sum(jobs) AS jobs
FROM cell_skill_counts
GROUP BY cell_id, skill_id;

-- Jobs per cell naming both skills of a pair (GenAI skills and frameworks; skill_a < skill_b).
CREATE TEMP TABLE pair_skills AS
SELECT k.job_id, s.skill_id, s.skill
FROM job_skill_ids AS k
JOIN skills AS s USING (skill_id)
WHERE s.category = 'genai' OR s.skill IN (SELECT skill FROM skill_groups WHERE skill_group = 'framework');
CREATE INDEX temp.pair_skills_by_job ON pair_skills (job_id);

CREATE TEMP TABLE cell_pair_counts AS
WITH per_group AS MATERIALIZED (
    SELECT j.scope_group, a.skill_id AS skill_a_id, b.skill_id AS skill_b_id, count(*) AS jobs
    FROM pair_skills AS a
    JOIN pair_skills AS b ON b.job_id = a.job_id AND a.skill < b.skill
    JOIN job_segments AS j ON j.job_id = a.job_id
    GROUP BY j.scope_group, a.skill_id, b.skill_id
)
SELECT gc.cell_id, g.skill_a_id, g.skill_b_id, sum(g.jobs) AS jobs
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
GROUP BY gc.cell_id, g.skill_a_id, g.skill_b_id;
