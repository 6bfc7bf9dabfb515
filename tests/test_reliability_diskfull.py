"""A disk that fills up during a crawl (a file-size limit on the crawl's process) leaves no
half-written job, the failed run says what it stored, and the next ordinary run repairs
everything: the database then holds what a crawl on a roomy disk holds."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from jobcrawler import storage
from jobcrawler.replay import ReplaySite
from tests.helpers import FAST, REPO, RUN_ID_COLUMNS, TIMESTAMP_COLUMNS, crawl, database_content, last_run, rows

pytestmark = pytest.mark.slow

JOBS = 150
FILE_SIZE_LIMIT = 1_300_000  # bytes: the first batch of 50 jobs fits, the crawl's 1.5 MB do not


def crawl_on_a_small_disk(base_url: str, db_path, limit: int) -> subprocess.CompletedProcess:
    """``scrapy crawl builtin -a city=berlin`` whose process may write no file past ``limit`` bytes
    (RLIMIT_FSIZE: writes past it fail with EFBIG, as on a full disk; Python ignores SIGXFSZ)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "builtin", "-a", "city=berlin", "-a", "render=never"]
    for name, value in {**FAST, "BUILTIN_BASE_URL": base_url, "SQLITE_PATH": str(db_path)}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=300,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))


WHOLE = """SELECT count(*) AS jobs,
  sum(EXISTS (SELECT 1 FROM job_labels l WHERE l.job_id = j.job_id AND l.labels = 'rules')) AS labelled,
  sum(EXISTS (SELECT 1 FROM job_cities c WHERE c.job_id = j.job_id)) AS with_city,
  sum(EXISTS (SELECT 1 FROM sightings s WHERE s.job_id = j.job_id)) AS sighted,
  sum(EXISTS (SELECT 1 FROM job_locations o WHERE o.job_id = j.job_id)) AS located
FROM jobs j"""


def without_times_seen(content: dict) -> dict:
    """database_content without what a failed run before the repair necessarily adds: its
    sightings and the times_seen they count."""
    kept = [c for c in storage.JOB_COLUMNS if c not in TIMESTAMP_COLUMNS | RUN_ID_COLUMNS]
    at = kept.index("times_seen")
    return {**{k: v for k, v in content.items() if k != "sightings"},
            "jobs": sorted((row[:at] + row[at + 1:] for row in content["jobs"]), key=repr)}


def test_a_full_disk_leaves_whole_jobs_and_the_next_run_repairs_everything(tmp_path):
    with ReplaySite(jobs_per_city=JOBS, seed=7) as site:
        small, roomy = tmp_path / "small.db", tmp_path / "roomy.db"
        failed = crawl_on_a_small_disk(site.base_url, small, FILE_SIZE_LIMIT)
        assert failed.returncode != 0, failed.stderr[-2000:]
        whole = rows(small, WHOLE)[0]
        assert 0 < whole["jobs"] < JOBS, "the limit must cut the crawl short after its first batch"
        assert whole["labelled"] == whole["with_city"] == whole["sighted"] == whole["located"] == whole["jobs"]
        run = last_run(small)
        assert run["status"] == "failed" and run["items_stored"] == whole["jobs"]
        assert f"{whole['jobs']} stored" in failed.stderr

        site.reset()
        assert crawl(site.base_url, small, "city=berlin").returncode == 0
        assert crawl(site.base_url, roomy, "city=berlin").returncode == 0
        repaired = rows(small, WHOLE)[0]
        assert repaired == {"jobs": JOBS, "labelled": JOBS, "with_city": JOBS, "sighted": JOBS, "located": JOBS}
        assert without_times_seen(database_content(small)) == without_times_seen(database_content(roomy))


def test_a_job_missing_any_of_its_parts_is_not_fresh(tmp_path):
    """A job half-written by an older version (its row without labels, city or sighting) is
    fetched again by the next crawl, not skipped as recently fetched."""
    db = storage.open_db(tmp_path / "jobs.db")
    now = storage.utc_now()
    run_id = storage.start_run(db, "builtin", "berlin", "AI Engineer", {}, None)
    for job_id in ("whole", "no labels", "no city"):
        storage.save_job(db, storage.job_row({"job_id": job_id, "title": "AI Engineer", "fetched_at": now}),
                         city="berlin", run_id=run_id, locations=[], skills=[], seen_at=now,
                         labels=storage.label_row({}, storage.RULES, "v1", now))
    storage.save_job(db, storage.job_row({"job_id": "no sighting", "title": "AI Engineer", "fetched_at": now}),
                     city=None, run_id=run_id, locations=[], skills=[], seen_at=now,
                     labels=storage.label_row({}, storage.RULES, "v1", now))
    with storage.transaction(db):
        db.execute("DELETE FROM job_labels WHERE job_id = 'no labels'")
        db.execute("DELETE FROM job_cities WHERE job_id = 'no city'")
    db.close()
    since = datetime.now(timezone.utc) - timedelta(days=1)
    assert storage.fresh_job_ids(tmp_path / "jobs.db", since) == {"whole"}
