-- Top 10 skills per company stage group: Seed, Series A-C (growth), Series D+/Public (late);
-- pct is the share of that stage group's jobs.
WITH group_stage_jobs AS MATERIALIZED (
    SELECT scope_group, stage_group, count(*) AS jobs
    FROM job_profile
    WHERE stage_group IS NOT NULL
    GROUP BY scope_group, stage_group
),
stage_jobs AS (
    SELECT gc.cell_id, g.stage_group, sum(g.jobs) AS jobs
    FROM group_stage_jobs AS g
    JOIN group_cells AS gc USING (scope_group)
    GROUP BY gc.cell_id, g.stage_group
),
stage_skills AS (
    SELECT k.cell_id, g.stage_group, s.category, s.skill, sum(k.jobs) AS jobs,
        row_number() OVER (
            PARTITION BY k.cell_id, g.stage_group ORDER BY sum(k.jobs) DESC, s.skill
        ) AS rank
    FROM cell_skill_counts AS k
    JOIN segments AS g USING (segment_id)
    JOIN skills AS s USING (skill_id)
    WHERE g.stage_group IS NOT NULL
    GROUP BY k.cell_id, g.stage_group, k.skill_id
)
SELECT c.city, c.period, ss.stage_group, sj.jobs AS stage_jobs, ss.rank, ss.category, ss.skill, ss.jobs,
    round(100.0 * ss.jobs / sj.jobs, 1) AS pct
FROM stage_skills AS ss
JOIN stage_jobs AS sj ON sj.cell_id = ss.cell_id AND sj.stage_group = ss.stage_group
JOIN cells AS c ON c.cell_id = ss.cell_id
WHERE ss.rank <= 10
ORDER BY c.cell_id, ss.stage_group, ss.rank;
