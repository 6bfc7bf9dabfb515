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
-- A listing without a city (the crawl writes none: a hand-edited or merged database) has no cell:
-- left out, and counted in the build's last line (build.py, left_out).
-- (UNION keeps each row once: a DISTINCT of its own would sort the ~200,000 sightings twice.)
CREATE TEMP TABLE job_city_period AS
SELECT s.job_id, s.city, substr(coalesce(r.started_at, s.seen_at), 1, 7) AS period
FROM sightings AS s
LEFT JOIN crawl_runs AS r ON r.run_id = s.run_id
WHERE coalesce(r.started_at, s.seen_at) IS NOT NULL AND s.city IS NOT NULL
UNION
SELECT job_id, city, substr(day, 1, 7)
FROM (
    WITH unseen AS MATERIALIZED (  -- listings no sighting records
        SELECT c.job_id, c.city, c.first_seen, c.last_seen
        FROM job_cities AS c
        WHERE c.city IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM sightings AS s WHERE s.job_id = c.job_id AND s.city = c.city)
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
-- segment (where the names' readers find a listed name's, by its job_ordinal: listed_names).
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

-- One row per job with everything the reports group or filter on that needs no listed name:
-- job_profile adds what the job's names say. The title, company and pay counts, the
-- denominators and the reports of these columns read it (build_parallel.py builds those in a
-- second process on a large database). In the jobs' storage order, as job_profile reads it.
CREATE TEMP TABLE job_base AS
SELECT
    j.job_id,
    g.ordinal,
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
    coalesce(l.fine_tuning, 'none') AS fine_tuning,
    l.fine_tuning_use_cases,
    l.support_category,
    -- the pay as stated (group_pay and the pay tables read these, not the jobs' long rows)
    -- a bound stored as no number ('100k': a hand-edited or merged database; the crawl writes
    -- numbers) is no bound, counted in the build's last line (build.py, LEFT_OUT: unread_pay_bounds,
    -- here rather than in a second pass over the jobs' long rows)
    j.level,
    CASE WHEN typeof(j.salary_min) IN ('integer', 'real') THEN j.salary_min END AS salary_min,
    CASE WHEN typeof(j.salary_max) IN ('integer', 'real') THEN j.salary_max END AS salary_max,
    j.salary_currency,
    j.salary_period,
    (typeof(j.salary_min) NOT IN ('integer', 'real', 'null')) + (typeof(j.salary_max) NOT IN ('integer', 'real', 'null'))
        AS unread_pay_bounds
FROM jobs AS j
JOIN source_labels AS l ON l.job_id = j.job_id
JOIN job_order AS g ON g.job_id = j.job_id
LEFT JOIN stage_texts AS st ON st.text = coalesce(l.company_stage_raw, l.company_stage);

-- The skill names each job's label source gives, list by list, as the published skill lists
-- counted them: the names as written where the source keeps its lists (job_labels.skill_lists),
-- else its skills under their categories (the rule tagger's canonical names; its lists have no
-- order, so all of a list's names count where the published stage lists read the first 10).
-- position is the name's place in its list; a name a list repeats counts each time, as
-- published. seen_order orders every name as the published scripts met it: job, then the
-- name's place in the job's lists (ties within one job of the rule tagger: by name); the place is
-- json_each's id, below 2^32 (SQLite's text is shorter than 2^31 bytes), hence the factor 2^32.
-- job_ordinal is the job's ordinal (job_order), carried as it is: json_each's ids are not bounded
-- (SQLite 3.45+ uses byte offsets), so seen_order cannot say whose name it is. Only what the names'
-- readers need (skills, cell_counts.fill_names, which find the job's scope group and segment
-- by its ordinal): each column more is ~943,000 values more to write at 100,000 postings.
CREATE TEMP TABLE listed_names AS
SELECT lists.key AS list, names.value AS name, CAST(names.key AS INTEGER) AS position,
    o.ordinal * 4294967296 + names.id AS seen_order, o.ordinal AS job_ordinal
FROM source_labels AS l
JOIN job_order AS o ON o.job_id = l.job_id AND o.keeps_lists, json_each(l.skill_lists) AS lists, json_each(lists.value) AS names
WHERE lists.type = 'array' AND names.type = 'text'
UNION ALL
SELECT k.category, k.skill, 0, o.ordinal * 4294967296, o.ordinal
FROM source_skills AS k
JOIN job_order AS o ON o.job_id = k.job_id AND NOT o.keeps_lists;

-- Names by id (one per list and name), in list and name order. Where each first appears (job id,
-- then place in the list: ties rank in that order, the published order, its counters keeping the
-- order names were first met, reading the jobs' files in name order: "<job id>_<slug>.yaml") is
-- skill_first_seen, counted by cell_counts.fill_names with the names' other counts (an upsert
-- keeping each name's earliest cost ~0.2 s at 100,000 postings, this DISTINCT ~0.09 s).
CREATE TEMP TABLE skills (skill_id INTEGER PRIMARY KEY, skill TEXT NOT NULL, category TEXT);
INSERT INTO skills (skill, category)
SELECT DISTINCT name, CAST(list AS TEXT) FROM listed_names ORDER BY 2, 1;  -- as stored: a list key of 0 is "0"
CREATE TEMP TABLE skill_first_seen (skill_id INTEGER PRIMARY KEY, first_seen INTEGER NOT NULL);
CREATE INDEX temp.skills_by_name ON skills (skill, category);

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

-- The tables below count the ~1,000,000 listed names: analysis/cell_counts.py fills them
-- (fill_names, numpy; the SQL each stands for is quoted there) once this script made them.

-- Jobs per cell, AI type and published word, each job once a word: for the tables that count
-- each word (the comparison, the ML skills). Jobs of no AI type are in none of them.
CREATE TEMP TABLE cell_term_jobs (
    cell_id INTEGER NOT NULL, ai_type TEXT NOT NULL, purpose TEXT NOT NULL, term_name TEXT NOT NULL,
    jobs INTEGER NOT NULL
);

-- Per job, what the published searches found in its names (each name's findings first:
-- name_words; job_names) and, as published (skills_analysis.py), which lists name anything; "other
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
-- Keyed by the job's ordinal (job_order); the flags as the bits of one number (one value a job to
-- write, not ten: ~100,000 rows), bit 0 up: a frontend word, a backend word, an ML word, a
-- fine-tuning name, RAG or agents, the genai, ml, web and ops lists, other tech (name_flags'
-- columns in order, cell_counts.FLAGS); a flag no name of the job sets is 0, as job_profile reads it.
CREATE TEMP TABLE job_names (ordinal INTEGER PRIMARY KEY, flags INTEGER NOT NULL);

-- Jobs per cell and skill, per cell, AI type (NULL: none) and skill, and per cell, stage group and
-- skill: the bases of the skill reports (cell_counts.fill_names counts them from the jobs per cell,
-- segment and skill). first_seen: where these jobs first name it (ties rank in that order); per
-- stage group only the names among the first 10 of their list count (top_jobs: what the
-- published stage lists read), and first_seen is over those jobs' rows.
CREATE TEMP TABLE cell_skills (cell_id INTEGER NOT NULL, skill_id INTEGER NOT NULL, jobs INTEGER NOT NULL);
CREATE TEMP TABLE cell_type_skill_counts (
    cell_id INTEGER NOT NULL, ai_type TEXT, skill_id INTEGER NOT NULL, jobs INTEGER NOT NULL, first_seen INTEGER NOT NULL
);
CREATE TEMP TABLE cell_stage_skill_counts (
    cell_id INTEGER NOT NULL, stage_group TEXT NOT NULL, skill_id INTEGER NOT NULL,
    top_jobs INTEGER NOT NULL, first_seen INTEGER NOT NULL,
    PRIMARY KEY (cell_id, stage_group, skill_id)
) WITHOUT ROWID;

-- Jobs per cell naming both names of a pair of its genai list (frameworks are genai names;
-- skill_a < skill_b), each pair once a job, as published (analyze_patterns.py).
CREATE TEMP TABLE cell_pair_counts (
    cell_id INTEGER NOT NULL, skill_a_id INTEGER NOT NULL, skill_b_id INTEGER NOT NULL,
    jobs INTEGER NOT NULL, first_seen INTEGER NOT NULL,
    PRIMARY KEY (cell_id, skill_a_id, skill_b_id)
) WITHOUT ROWID;
