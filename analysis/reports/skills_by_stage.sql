-- Top 10 skill names per company stage group, as published (analyze_patterns.py): Seed,
-- Series A-C (growth), Series D+/Public (late), a stage belonging to the first group one of
-- whose names its text holds (_scope.sql stage_terms); the first 10 names of each of a job's
-- lists count, by name whatever the list (a name in two lists counts twice, as published);
-- ties in the order the data first names them. pct is the share of the group's jobs.
-- exact_stage_jobs (ours): the group's jobs counting only stages named exactly.
WITH group_stage_jobs AS MATERIALIZED (
    SELECT scope_group, stage_group, sum(jobs) AS jobs
    FROM group_base_counts
    WHERE stage_group IS NOT NULL
    GROUP BY scope_group, stage_group
),
group_exact_stage_jobs AS MATERIALIZED (
    SELECT scope_group, exact_stage_group AS stage_group, sum(jobs) AS jobs
    FROM group_base_counts
    WHERE exact_stage_group IS NOT NULL
    GROUP BY scope_group, exact_stage_group
),
stage_jobs AS (
    SELECT gc.cell_id, g.stage_group, sum(g.jobs) AS jobs,
        (SELECT sum(e.jobs) FROM group_exact_stage_jobs AS e JOIN group_cells AS ec USING (scope_group)
         WHERE ec.cell_id = gc.cell_id AND e.stage_group = g.stage_group) AS exact_jobs
    FROM group_stage_jobs AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.stage_group
),
stage_skills AS (
    SELECT k.cell_id, k.stage_group, min(s.category) AS category, s.skill, sum(k.top_jobs) AS jobs,
        row_number() OVER (
            PARTITION BY k.cell_id, k.stage_group ORDER BY sum(k.top_jobs) DESC, min(k.first_seen), min(s.category), s.skill
        ) AS rank
    FROM cell_stage_skill_counts AS k
    JOIN skills AS s USING (skill_id)
    GROUP BY k.cell_id, k.stage_group, s.skill
)
SELECT c.city, c.period, ss.stage_group, sj.jobs AS stage_jobs, sj.exact_jobs AS exact_stage_jobs,
    ss.rank, ss.category, ss.skill, ss.jobs,
    round(100.0 * ss.jobs / sj.jobs, 1) AS pct
FROM stage_skills AS ss
JOIN stage_jobs AS sj ON sj.cell_id = ss.cell_id AND sj.stage_group = ss.stage_group
JOIN cells AS c ON c.cell_id = ss.cell_id
WHERE ss.rank <= 10
ORDER BY c.cell_id, ss.stage_group, ss.rank;
