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
SELECT job_id, city, substr(day, 1, 7)
FROM (
    WITH unseen AS MATERIALIZED (  -- listings no sighting records
        SELECT c.job_id, c.city, c.first_seen, c.last_seen
        FROM job_cities AS c
        WHERE NOT EXISTS (SELECT 1 FROM sightings AS s WHERE s.job_id = c.job_id AND s.city = c.city)
    )
    SELECT job_id, city, first_seen AS day FROM unseen
    UNION ALL
    SELECT job_id, city, last_seen FROM unseen
)
WHERE day IS NOT NULL
ORDER BY 1, 2, 3;

-- By job: job_cells reads each job's cells in this order, group_city_period looks a job's up.
CREATE INDEX temp.job_city_period_by_job ON job_city_period (job_id, city, period);

-- A job's cells as one text key (in city and period order): equal keys, same scope_group.
CREATE TEMP TABLE job_cells (job_id TEXT PRIMARY KEY, cells TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO job_cells (job_id, cells)
SELECT j.job_id,
    coalesce((SELECT group_concat(p.city || '@' || p.period, ' ') FROM job_city_period AS p WHERE p.job_id = j.job_id), '')
FROM source_labels AS j
WHERE j.job_id IS NOT NULL;  -- a key holds no NULL (and job_order would leave such a row out)

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

-- Keyed by group: expanding a group's counts to its cells reads one run of this key.
CREATE TEMP TABLE group_cells (
    scope_group INTEGER NOT NULL, cell_id INTEGER NOT NULL, PRIMARY KEY (scope_group, cell_id)
) WITHOUT ROWID;
INSERT INTO group_cells (scope_group, cell_id)
SELECT g.scope_group, c.cell_id
FROM group_city_period AS g
JOIN cells AS c ON c.city = g.city AND c.period = g.period;

-- Skill lists the report names by hand (names as in jobcrawler/tagging/taxonomy.yaml):
-- GenAI frameworks (the published analyze_patterns.py list), LLM APIs and model families, vector databases.
CREATE TEMP TABLE skill_groups (skill_group TEXT NOT NULL, skill TEXT NOT NULL);
INSERT INTO skill_groups (skill_group, skill) VALUES
    ('framework', 'LangChain'), ('framework', 'LangGraph'), ('framework', 'LlamaIndex'),
    ('framework', 'DSPy'), ('framework', 'Haystack'), ('framework', 'Semantic Kernel'),
    ('framework', 'AutoGen'), ('framework', 'CrewAI'), ('framework', 'Phidata'),
    ('llm api', 'OpenAI API'), ('llm api', 'Anthropic API'), ('llm api', 'Gemini'),
    ('llm api', 'Mistral'), ('llm api', 'Llama'), ('llm api', 'AWS Bedrock'),
    ('llm api', 'Vertex AI'), ('llm api', 'Azure AI Foundry'), ('llm api', 'Hugging Face'),
    ('llm api', 'vLLM'),
    ('vector database', 'vector databases'), ('vector database', 'Pinecone'),
    ('vector database', 'Weaviate'), ('vector database', 'pgvector'),
    ('vector database', 'FAISS'), ('vector database', 'Chroma'),
    ('vector database', 'Qdrant'), ('vector database', 'Milvus');

-- The published definitions that search skill names for a text (lower-cased, anywhere in the
-- name, any list: "api" finds "OpenAI API" and "APIs"), as the published scripts searched:
--   ml knowledge   skills_analysis.py: an AI-first role "needs ML" when a name holds one of these;
--   compared       support_skills_analysis.py: the AI-first vs AI-support comparison ("rag" also
--                  finds "storage": the published figures count it so);
--   frontend, backend   skills_analysis.py: full-stack = both;
--   fine-tuning mention finetuning_analysis.py, searched in the title, responsibilities, use
--                  cases and the genai and ml names (jobcrawler/fieldguide.yaml fine_tuning.mentions).
-- position orders a list as published (ties in the ML skill list).
CREATE TEMP TABLE published_terms (purpose TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, term TEXT NOT NULL);
INSERT INTO published_terms (purpose, position, name, term)
SELECT purpose, position, name, lower(name) FROM (
    SELECT 'ml knowledge' AS purpose, 1 AS position, 'PyTorch' AS name
    UNION ALL VALUES ('ml knowledge', 2, 'TensorFlow'), ('ml knowledge', 3, 'Keras'), ('ml knowledge', 4, 'JAX'),
        ('ml knowledge', 5, 'scikit-learn'), ('ml knowledge', 6, 'XGBoost'), ('ml knowledge', 7, 'LightGBM'),
        ('ml knowledge', 8, 'fine-tuning'), ('ml knowledge', 9, 'model training'),
        ('ml knowledge', 10, 'model evaluation'), ('ml knowledge', 11, 'embeddings'),
        ('ml knowledge', 12, 'deep learning'), ('ml knowledge', 13, 'machine learning'),
        ('ml knowledge', 14, 'neural networks'), ('ml knowledge', 15, 'optimization'), ('ml knowledge', 16, 'CUDA'),
        ('ml knowledge', 17, 'transformers'), ('ml knowledge', 18, 'huggingface'),
        ('compared', 1, 'RAG'), ('compared', 2, 'prompt engineering'), ('compared', 3, 'agents'),
        ('compared', 4, 'LangChain'), ('compared', 5, 'LLMs'), ('compared', 6, 'PyTorch'),
        ('compared', 7, 'TensorFlow'), ('compared', 8, 'fine-tuning'), ('compared', 9, 'machine learning'),
        ('compared', 10, 'React'), ('compared', 11, 'FastAPI'), ('compared', 12, 'TypeScript'),
        ('compared', 13, 'APIs'), ('compared', 14, 'Docker'), ('compared', 15, 'Kubernetes'),
        ('compared', 16, 'CI/CD'), ('compared', 17, 'AWS'), ('compared', 18, 'Azure'), ('compared', 19, 'GCP'),
        ('frontend', 1, 'react'), ('frontend', 2, 'vue'), ('frontend', 3, 'next.js'), ('frontend', 4, 'frontend'),
        ('frontend', 5, 'typescript'), ('frontend', 6, 'javascript'),
        ('backend', 1, 'fastapi'), ('backend', 2, 'flask'), ('backend', 3, 'django'), ('backend', 4, 'api'),
        ('backend', 5, 'graphql'), ('backend', 6, 'rest'),
        ('fine-tuning mention', 1, 'fine-tun'), ('fine-tuning mention', 2, 'finetun'),
        ('fine-tuning mention', 3, 'fine tun'), ('fine-tuning mention', 4, 'custom model'),
        ('fine-tuning mention', 5, 'specialized model'), ('fine-tuning mention', 6, 'domain-specific'),
        ('fine-tuning mention', 7, 'adaptation'), ('fine-tuning mention', 8, 'lora'), ('fine-tuning mention', 9, 'qlora'),
        ('fine-tuning mention', 10, 'peft'), ('fine-tuning mention', 11, 'instruction tuning')
);
-- A search of one purpose (fine_tuning_texts: ~70,000 texts) reads that purpose's words only.
CREATE INDEX temp.published_terms_by_purpose ON published_terms (purpose, term);

-- Company stage groups as published (analyze_patterns.py): the first group one of whose names
-- stands anywhere in the stage as the source wrote it (company_stage_raw; the rule tagger, which
-- writes none, by its stage), case as written: "Series B+" is growth, "Seed/Series A" early.
CREATE TEMP TABLE stage_terms (stage_group TEXT NOT NULL, position INTEGER NOT NULL, term TEXT NOT NULL);
INSERT INTO stage_terms VALUES
    ('Seed', 1, 'Seed'), ('Seed', 1, 'Pre-Seed'), ('Seed', 1, 'Angel'), ('Seed', 1, 'Seed/Series A'),
    ('Series A-C', 2, 'Series A'), ('Series A-C', 2, 'Series B'), ('Series A-C', 2, 'Series B+'),
    ('Series A-C', 2, 'Series C'), ('Series A-C', 2, 'Series C+'),
    ('Series D+/Public', 3, 'Series D'), ('Series D+/Public', 3, 'Series D+'), ('Series D+/Public', 3, 'Series E'),
    ('Series D+/Public', 3, 'Series E+'), ('Series D+/Public', 3, 'Series F'), ('Series D+/Public', 3, 'Public');

-- Whether the source keeps its skill lists as written (the published labels, an LLM's) or
-- names canonical skills only (the rule tagger): the second needs no merging of its own names.
CREATE TEMP TABLE source_kind AS
SELECT EXISTS (SELECT 1 FROM source_labels WHERE skill_lists IS NOT NULL) AS keeps_lists;

-- Each distinct stage text once: its published stage group.
CREATE TEMP TABLE stage_texts AS
SELECT text, (SELECT t.stage_group FROM stage_terms AS t WHERE instr(text, t.term) > 0 ORDER BY t.position LIMIT 1)
    AS stage_group
FROM (SELECT DISTINCT coalesce(company_stage_raw, company_stage) AS text FROM source_labels WHERE text IS NOT NULL);
CREATE UNIQUE INDEX temp.stage_texts_by_text ON stage_texts (text);

-- Job segments: one id per (AI type, stage group).
CREATE TEMP TABLE segments (segment_id INTEGER PRIMARY KEY, ai_type TEXT, stage_group TEXT);
INSERT INTO segments (ai_type, stage_group)
SELECT DISTINCT l.ai_type, st.stage_group
FROM source_labels AS l
LEFT JOIN stage_texts AS st ON st.text = coalesce(l.company_stage_raw, l.company_stage)
ORDER BY 1, 2;

-- Jobs in the order the published scripts read them (their files in name order: job id first),
-- whether the source kept the job's skill lists as written, and the job's scope group and
-- segment, which every name the job lists carries on (job_skill_ids): counting names per group
-- and segment then needs no lookup of the job.
-- Keyed by job id: looking a job up is one search.
CREATE TEMP TABLE job_order (job_id TEXT PRIMARY KEY, ordinal INTEGER NOT NULL, keeps_lists INTEGER NOT NULL,
                             scope_group INTEGER NOT NULL, segment_id INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO job_order (job_id, ordinal, keeps_lists, scope_group, segment_id)
SELECT l.job_id, row_number() OVER (ORDER BY l.job_id),
    coalesce(l.skill_lists IS NOT NULL AND json_valid(l.skill_lists), 0), g.scope_group, s.segment_id
FROM source_labels AS l
JOIN job_cells AS jc ON jc.job_id = l.job_id
JOIN scope_groups AS g ON g.cells = jc.cells
LEFT JOIN stage_texts AS st ON st.text = coalesce(l.company_stage_raw, l.company_stage)
JOIN segments AS s ON s.ai_type IS l.ai_type AND s.stage_group IS st.stage_group
ORDER BY l.job_id;

-- The skill names each job's label source gives, list by list, as the published skill lists
-- counted them: the names as written where the source keeps its lists (job_labels.skill_lists),
-- else its skills under their categories (the rule tagger's canonical names; its lists have no
-- order, so all of a list's names count where the published stage lists read the first 10).
-- position is the name's place in its list; a name a list repeats counts each time, as
-- published. seen_order orders every name as the published scripts met it: job, then the
-- name's place in the job's lists (ties within one job of the rule tagger: by name).
-- list_node tells a job's lists apart (json_each's id of the list; 0 for the rule tagger's, whose
-- names a job lists once each).
CREATE TEMP TABLE listed_names AS
SELECT l.job_id, lists.key AS list, lists.id AS list_node, names.value AS name, CAST(names.key AS INTEGER) AS position,
    o.ordinal * 1000000 + names.id AS seen_order, o.scope_group, o.segment_id
FROM source_labels AS l
JOIN job_order AS o ON o.job_id = l.job_id AND o.keeps_lists, json_each(l.skill_lists) AS lists, json_each(lists.value) AS names
WHERE lists.type = 'array' AND names.type = 'text'
UNION ALL
SELECT k.job_id, k.category, 0, k.skill, 0, o.ordinal * 1000000, o.scope_group, o.segment_id
FROM source_skills AS k
JOIN job_order AS o ON o.job_id = k.job_id AND NOT o.keeps_lists;

-- Names by id (one per list and name), with where each first appears: job id, then place in
-- the list. Ties rank in that order, which is the published order (its counters kept the order
-- names were first met, reading the jobs' files in name order: "<job id>_<slug>.yaml").
-- Speed: ~1,000,000 listed names, a few thousand distinct. A GROUP BY would sort them all (~1 s at
-- 100,000 postings); an upsert keeps each name's earliest in a small index instead (~0.3 s). A
-- name of no list (list NULL) is never a conflict there: the GROUP BY after merges those.
CREATE TEMP TABLE first_listed (name TEXT NOT NULL, list TEXT, first_seen INTEGER NOT NULL);
CREATE UNIQUE INDEX temp.first_listed_by_name ON first_listed (name, list);
INSERT INTO first_listed (name, list, first_seen)
SELECT name, list, seen_order FROM listed_names WHERE true
ON CONFLICT (name, list) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen);
CREATE TEMP TABLE skills (skill_id INTEGER PRIMARY KEY, skill TEXT NOT NULL, category TEXT, first_seen INTEGER);
INSERT INTO skills (skill, category, first_seen)
SELECT name, list, min(first_seen) FROM first_listed GROUP BY name, list ORDER BY list, name;
CREATE INDEX temp.skills_by_name ON skills (skill, category);

-- Keyed by job, then skill (a list's place holds one name; list_node tells lists apart): the
-- per-job passes (job_names, pair_skills) read it in key order instead of sorting ~1,000,000
-- names, and it is written in about that order (listed_names follows the jobs' order).
CREATE TEMP TABLE job_skill_ids (
    job_id TEXT NOT NULL, skill_id INTEGER NOT NULL, position INTEGER NOT NULL, list_node INTEGER NOT NULL,
    seen_order INTEGER NOT NULL, scope_group INTEGER NOT NULL, segment_id INTEGER NOT NULL,
    PRIMARY KEY (job_id, skill_id, position, list_node)
) WITHOUT ROWID;
INSERT INTO job_skill_ids (job_id, skill_id, position, list_node, seen_order, scope_group, segment_id)
SELECT n.job_id, s.skill_id, n.position, n.list_node, n.seen_order, n.scope_group, n.segment_id
FROM listed_names AS n
JOIN skills AS s ON s.skill = n.name AND s.category IS n.list;

-- Our definition beside the published one: canonical skills (the taxonomy's names, alternative
-- names merged: "Postgres" is PostgreSQL), one per job, whatever list named them.
-- name_canonical: the canonical skill of each name (a name that is itself a skill maps to it;
-- the rule tagger's names are canonical); canonical_names: the names the data gives each
-- canonical skill ("Postgres", "PostgreSQL").
CREATE TEMP TABLE name_canonical AS
WITH pairs AS (
    SELECT DISTINCT coalesce(matched, skill) AS name, skill, category FROM source_skills
    WHERE (SELECT keeps_lists FROM source_kind)
    UNION SELECT DISTINCT skill, skill, category FROM source_skills WHERE (SELECT keeps_lists FROM source_kind)
    UNION SELECT skill, skill, category FROM skills WHERE NOT (SELECT keeps_lists FROM source_kind)
)
SELECT name, coalesce(max(CASE WHEN name = skill THEN skill END), min(skill)) AS skill, max(category) AS category
FROM pairs GROUP BY name;
CREATE UNIQUE INDEX temp.name_canonical_by_name ON name_canonical (name);
CREATE TEMP TABLE canonical_names AS
SELECT DISTINCT c.skill, s.skill AS name FROM skills AS s JOIN name_canonical AS c ON c.name = s.skill;
CREATE INDEX temp.canonical_names_by_skill ON canonical_names (skill);

-- The published searches (published_terms), each distinct name searched once (lower-cased),
-- its hits then given to every job naming it; fine-tuning words count in the genai and ml lists.
-- Keyed by name: a listed name's hits are one search away.
CREATE TEMP TABLE name_terms (
    skill_id INTEGER NOT NULL, term_key INTEGER NOT NULL, purpose TEXT NOT NULL, term_name TEXT NOT NULL,
    PRIMARY KEY (skill_id, term_key)
) WITHOUT ROWID;
INSERT INTO name_terms (skill_id, term_key, purpose, term_name)
SELECT s.skill_id, t.rowid, t.purpose, t.name
FROM skills AS s
JOIN published_terms AS t ON instr(lower(s.skill), t.term) > 0
WHERE t.purpose <> 'fine-tuning mention' OR s.category IN ('genai', 'ml');
-- Jobs per scope group, segment and published word, each job once a word: for the tables that
-- count each word (the comparison, the ML skills). Counted by analysis/cell_counts.py (numpy; the
-- SQL it stands for is quoted there), after this script.
CREATE TEMP TABLE group_term_jobs (
    scope_group INTEGER NOT NULL, segment_id INTEGER NOT NULL, purpose TEXT NOT NULL, term_name TEXT NOT NULL,
    jobs INTEGER NOT NULL
);

-- Per job, one pass over its names: what the published searches found (each name's findings
-- first: name_words) and, as published (skills_analysis.py), which lists name anything; "other
-- tech" is the ml, web, ops, cloud, data and databases lists (languages, domains and other do not count).
CREATE TEMP TABLE name_words AS
SELECT skill_id,
    max(purpose = 'frontend') AS frontend,
    max(purpose = 'backend') AS backend,
    max(purpose = 'ml knowledge') AS ml,
    max(purpose = 'fine-tuning mention') AS fine_tuning,
    max(purpose = 'compared' AND term_name IN ('RAG', 'agents')) AS rag_or_agents
FROM name_terms
GROUP BY skill_id;
CREATE UNIQUE INDEX temp.name_words_by_skill ON name_words (skill_id);
-- Each name's findings and list flags in one row: one lookup a listed name.
CREATE TEMP TABLE name_flags (
    skill_id INTEGER PRIMARY KEY, frontend, backend, ml, fine_tuning, rag_or_agents, genai, ml_list, web, ops, non_genai
);
INSERT INTO name_flags
SELECT s.skill_id, w.frontend, w.backend, w.ml, w.fine_tuning, w.rag_or_agents,
    s.category = 'genai' AS genai,
    s.category = 'ml' AS ml_list,
    s.category = 'web' AS web,
    s.category = 'ops' AS ops,
    s.category IN ('ml', 'web', 'ops', 'cloud', 'data', 'databases') AS non_genai
FROM skills AS s
LEFT JOIN name_words AS w USING (skill_id);
CREATE TEMP TABLE job_names (
    job_id TEXT PRIMARY KEY,
    has_frontend_word INTEGER, has_backend_word INTEGER, has_ml_word INTEGER, has_fine_tuning_name INTEGER,
    has_rag_or_agents INTEGER,
    has_genai INTEGER, has_ml INTEGER, has_web INTEGER, has_ops INTEGER, has_non_genai INTEGER
) WITHOUT ROWID;
INSERT INTO job_names
SELECT k.job_id,
    max(f.frontend), max(f.backend), max(f.ml), max(f.fine_tuning), max(f.rag_or_agents),
    max(f.genai), max(f.ml_list), max(f.web), max(f.ops), max(f.non_genai)
FROM job_skill_ids AS k
JOIN name_flags AS f USING (skill_id)
GROUP BY k.job_id;

-- Jobs with a fine-tuning word in the title, responsibilities or use cases (published_terms).
CREATE TEMP TABLE fine_tuning_texts AS
WITH texts AS MATERIALIZED (
    SELECT l.job_id, lower(coalesce(j.title, '') || ' ' || coalesce(l.responsibilities, '') || ' '
                           || coalesce(l.use_cases, '')) AS text
    FROM source_labels AS l
    JOIN jobs AS j ON j.job_id = l.job_id
    WHERE l.ai_type = 'ai-first'  -- the published analysis looked at no other type
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
    st.stage_group,
    -- ours: the stage the source names exactly (company_stage)
    CASE
        WHEN l.company_stage = 'Seed' THEN 'Seed'
        WHEN l.company_stage IN ('Series A', 'Series B', 'Series C') THEN 'Series A-C'
        WHEN l.company_stage IN ('Series D+', 'Public') THEN 'Series D+/Public'
    END AS exact_stage_group,
    coalesce(l.is_customer_facing, 0) AS is_customer_facing,
    coalesce(l.is_management, 0) AS is_management,
    l.is_tech_lead,  -- NULL where the source does not tell technical leads apart (the published labels)
    coalesce(l.is_research, 0) AS is_research,
    coalesce(l.is_entry_level, 0) AS is_entry_level,
    -- ours: the taxonomy's frontend and backend skills (jobcrawler/tagging/categories.yaml skill_groups)
    coalesce(l.is_frontend, 0) AS is_frontend,
    coalesce(l.is_backend, 0) AS is_backend,
    coalesce(l.is_fullstack, 0) AS is_fullstack,
    -- as published: a name holding a frontend / backend / ML word (published_terms)
    coalesce(w.has_frontend_word, 0) AS has_frontend_word,
    coalesce(w.has_backend_word, 0) AS has_backend_word,
    coalesce(w.has_ml_word, 0) AS has_ml_word,
    coalesce(l.fine_tuning, 'none') AS fine_tuning,
    l.fine_tuning_use_cases,
    l.support_category,
    -- as published (finetuning_analysis.py): a fine-tuning word in the title, responsibilities,
    -- use cases or genai/ml names; a source's fine-tuning duty always counts
    (coalesce(l.fine_tuning, 'none') <> 'none' OR coalesce(w.has_fine_tuning_name, 0)
     OR j.job_id IN (SELECT job_id FROM fine_tuning_texts)) AS mentions_fine_tuning,
    coalesce(w.has_genai, 0) AS has_genai,
    coalesce(w.has_ml, 0) AS has_ml,
    coalesce(w.has_web, 0) AS has_web,
    coalesce(w.has_ops, 0) AS has_ops,
    coalesce(w.has_non_genai, 0) AS has_non_genai,
    coalesce(w.has_rag_or_agents, 0) AS has_rag_or_agents,
    -- ours: a concrete ML skill, the generic "machine learning" (often the company's field) left out
    j.job_id IN (SELECT job_id FROM concrete_ml_jobs) AS has_concrete_ml
FROM jobs AS j
JOIN source_labels AS l ON l.job_id = j.job_id
JOIN job_order AS g ON g.job_id = j.job_id
LEFT JOIN job_names AS w ON w.job_id = j.job_id
LEFT JOIN stage_texts AS st ON st.text = coalesce(l.company_stage_raw, l.company_stage);
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
--           first lets adjacent seniority words ("senior staff") both go. Our definition.
--   published_variant  as published (title_analysis.py): the lower-cased title with each of
--           senior, staff, principal, lead, junior, sr., sr, iii, ii, i removed wherever it
--           stands, in that order, trimming spaces after each: "i" goes from inside words too
--           ("ai engineer" becomes "a engneer"), which merges and splits a few titles.
--   first_seen  the title's first job (ties rank in that order, as published).
CREATE TEMP TABLE titles (title_id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, words TEXT, variant TEXT,
                          published_variant TEXT, first_seen TEXT);
INSERT INTO titles (title, first_seen) SELECT title, min(job_id) FROM job_profile WHERE title IS NOT NULL GROUP BY title;
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

-- Jobs per cell, AI type and exact title, and the first of them (ties rank in that order).
-- Speed: as in cell_skill_counts, each group's counts are added up in the primary key (an upsert),
-- which takes the AI type by a key (ai_type_key: AI types in order, none first), as a key can
-- hold no NULL.
CREATE TEMP TABLE ai_types (ai_type_key INTEGER PRIMARY KEY, ai_type TEXT UNIQUE);
INSERT INTO ai_types (ai_type) SELECT DISTINCT ai_type FROM segments ORDER BY ai_type;
CREATE TEMP TABLE cell_title_counts (
    cell_id INTEGER NOT NULL, ai_type_key INTEGER NOT NULL, title_id INTEGER NOT NULL, ai_type TEXT,
    jobs INTEGER NOT NULL, first_seen TEXT NOT NULL,
    PRIMARY KEY (cell_id, ai_type_key, title_id)
) WITHOUT ROWID;
WITH per_group AS MATERIALIZED (
    SELECT p.scope_group, a.ai_type_key, a.ai_type, t.title_id, count(*) AS jobs, min(p.job_id) AS first_seen
    FROM job_profile AS p
    JOIN titles AS t ON t.title = p.title
    JOIN ai_types AS a ON a.ai_type IS p.ai_type
    GROUP BY p.scope_group, a.ai_type_key, t.title_id
)
INSERT INTO cell_title_counts (cell_id, ai_type_key, title_id, ai_type, jobs, first_seen)
SELECT gc.cell_id, g.ai_type_key, g.title_id, g.ai_type, g.jobs, g.first_seen
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
WHERE true
ON CONFLICT (cell_id, ai_type_key, title_id) DO UPDATE SET jobs = jobs + excluded.jobs,
    first_seen = min(first_seen, excluded.first_seen);

-- Each AI type's jobs with a title per cell (unknown included): the denominator of the title
-- word and title keyword shares.
CREATE TEMP TABLE cell_type_titles AS
SELECT cell_id, ai_type, sum(jobs) AS titles
FROM cell_title_counts
WHERE ai_type IS NOT NULL
GROUP BY cell_id, ai_type;

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

-- Companies by id, and jobs per cell and company.
CREATE TEMP TABLE companies (company_id INTEGER PRIMARY KEY, company TEXT NOT NULL UNIQUE, first_seen TEXT);
INSERT INTO companies (company, first_seen)
SELECT company, min(job_id) FROM job_profile WHERE company IS NOT NULL GROUP BY company;

-- Speed: as in cell_skill_counts, each group's counts are added up in the primary key (an upsert).
CREATE TEMP TABLE cell_company_counts (
    cell_id INTEGER NOT NULL, company_id INTEGER NOT NULL, jobs INTEGER NOT NULL,
    PRIMARY KEY (cell_id, company_id)
) WITHOUT ROWID;
WITH per_group AS MATERIALIZED (
    SELECT p.scope_group, c.company_id, count(*) AS jobs
    FROM job_profile AS p
    JOIN companies AS c ON c.company = p.company
    GROUP BY p.scope_group, c.company_id
)
INSERT INTO cell_company_counts (cell_id, company_id, jobs)
SELECT gc.cell_id, g.company_id, g.jobs
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
WHERE true
ON CONFLICT (cell_id, company_id) DO UPDATE SET jobs = jobs + excluded.jobs;

-- Jobs per cell, segment and skill: the base of every skill report. first_seen: where these jobs
-- first name it (ties rank in that order); top_jobs: the jobs naming it among the first 10 of
-- its list (what the published stage lists read). Counted by analysis/cell_counts.py (numpy; the
-- SQL it stands for is quoted there), after this script; _scope_skills.sql then reads it.
CREATE TEMP TABLE cell_skill_counts (
    cell_id INTEGER NOT NULL, segment_id INTEGER NOT NULL, skill_id INTEGER NOT NULL,
    jobs INTEGER NOT NULL, top_jobs INTEGER NOT NULL, first_seen INTEGER NOT NULL,
    PRIMARY KEY (cell_id, segment_id, skill_id)
) WITHOUT ROWID;

-- Jobs per cell naming both names of a pair of its genai list (frameworks are genai names;
-- skill_a < skill_b), each pair once a job, as published (analyze_patterns.py).
CREATE TEMP TABLE pair_skills (
    job_id TEXT NOT NULL, skill_id INTEGER NOT NULL, scope_group INTEGER NOT NULL, skill TEXT NOT NULL,
    seen_order INTEGER NOT NULL,
    PRIMARY KEY (job_id, skill_id)
) WITHOUT ROWID;
INSERT INTO pair_skills (job_id, skill_id, scope_group, skill, seen_order)
SELECT k.job_id, k.skill_id, k.scope_group, s.skill, min(k.seen_order)
FROM job_skill_ids AS k
JOIN skills AS s USING (skill_id)
WHERE s.category = 'genai'
GROUP BY k.job_id, k.skill_id;

CREATE TEMP TABLE cell_pair_counts (
    cell_id INTEGER NOT NULL, skill_a_id INTEGER NOT NULL, skill_b_id INTEGER NOT NULL,
    jobs INTEGER NOT NULL, first_seen INTEGER NOT NULL,
    PRIMARY KEY (cell_id, skill_a_id, skill_b_id)
) WITHOUT ROWID;
WITH per_group AS MATERIALIZED (
    SELECT a.scope_group, a.skill_id AS skill_a_id, b.skill_id AS skill_b_id, count(*) AS jobs,
        min(a.seen_order / 1000000) AS first_seen  -- the first job naming the pair
    FROM pair_skills AS a
    JOIN pair_skills AS b ON b.job_id = a.job_id AND a.skill < b.skill
    GROUP BY a.scope_group, a.skill_id, b.skill_id
)
INSERT INTO cell_pair_counts (cell_id, skill_a_id, skill_b_id, jobs, first_seen)
SELECT gc.cell_id, g.skill_a_id, g.skill_b_id, g.jobs, g.first_seen
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
WHERE true
ON CONFLICT (cell_id, skill_a_id, skill_b_id) DO UPDATE SET jobs = jobs + excluded.jobs,
    first_seen = min(first_seen, excluded.first_seen);

-- Pay: the postings stating pay with a period and their yearly figure, as pay.sql defines them,
-- counted per cell, grouping (all, level, AI type; pay_groups, per currency) and figure: postings
-- of a cell stating the same figure are counted together. Speed: each group's counts are added up
-- in the table's primary key (an upsert), as in cell_skill_counts (a figure stands in about twenty
-- cell and grouping lists: ~1,000,000 rows at 100,000 postings); the quartiles read them in that order.
CREATE TEMP TABLE group_pay AS
WITH stated AS MATERIALIZED (
    SELECT p.scope_group,
        coalesce(j.salary_currency, currency_in_text(j.description, j.salary_min, j.salary_max), 'not stated') AS currency,
        coalesce(j.level, 'not stated') AS level,
        coalesce(p.ai_type, 'unknown') AS ai_type,
        j.salary_period <> 'year' AS converted,
        (coalesce(j.salary_min, j.salary_max) + coalesce(j.salary_max, j.salary_min)) / 2.0
            * CASE j.salary_period WHEN 'year' THEN 1 WHEN 'month' THEN 12 WHEN 'week' THEN 52
                                   WHEN 'day' THEN 260 WHEN 'hour' THEN 2080 END AS annual
    FROM job_profile AS p
    JOIN jobs AS j ON j.job_id = p.job_id
    WHERE coalesce(j.salary_min, j.salary_max) IS NOT NULL
      AND j.salary_period IN ('year', 'month', 'week', 'day', 'hour')
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

CREATE TEMP TABLE cell_pay_counts (
    cell_id INTEGER NOT NULL, group_key INTEGER NOT NULL, annual REAL NOT NULL,
    jobs INTEGER NOT NULL, converted INTEGER NOT NULL,
    PRIMARY KEY (cell_id, group_key, annual)
) WITHOUT ROWID;
WITH per_group AS MATERIALIZED (
    SELECT v.scope_group, k.group_key, v.annual, sum(v.jobs) AS jobs, sum(v.converted) AS converted
    FROM (
        SELECT scope_group, currency, 'all' AS group_by, 'all' AS group_value, annual, jobs, converted FROM group_pay
        UNION ALL
        SELECT scope_group, currency, 'level', level, annual, jobs, converted FROM group_pay
        UNION ALL
        SELECT scope_group, currency, 'AI type', ai_type, annual, jobs, converted FROM group_pay
    ) AS v
    JOIN pay_groups AS k USING (currency, group_by, group_value)
    GROUP BY v.scope_group, k.group_key, v.annual
)
INSERT INTO cell_pay_counts (cell_id, group_key, annual, jobs, converted)
SELECT gc.cell_id, g.group_key, g.annual, g.jobs, g.converted
FROM per_group AS g
JOIN group_cells AS gc USING (scope_group)
WHERE true
ON CONFLICT (cell_id, group_key, annual) DO UPDATE SET jobs = jobs + excluded.jobs,
    converted = converted + excluded.converted;
