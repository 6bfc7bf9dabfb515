"""The monthly cycle in one command: crawl every city on Scrapyd, merge, label, build, package.

    python -m jobcrawler.cycle --scrapyd http://127.0.0.1:6800 [--scrapyd URL ...] [--deploy]
        [--cities all|berlin,london] [--cycle 2026-12] [--db data/jobs.db] [--runs-dir data/runs]
        [--setting NAME=VALUE ...] [--arg NAME=VALUE ...] [--max-per-host 1]
        [--llm MODEL [--only-uncertain]] [--package auto|docker|tarball|none] [--publish PLATFORM]

Each city becomes one Scrapyd job (spider ``builtin``) writing its own database,
``<runs-dir>/<cycle>/<city>-<job>.db``. The cycle starts a city's job only while the host it
crawls has a free slot (``--max-per-host``, default 1: every city of cities.yaml is searched on
builtin.com, so by default one crawl runs at a time in all, whatever the number of servers,
since each crawl keeps builtin's polite rate on its own and N at once would crawl N times as
fast). It polls ``listjobs.json`` and prints each job's progress. Once every city's crawl has
ended ``ok`` (or ``degraded``: kept, and said in the summary) it merges them into ``--db`` as
one cycle (``jobcrawler.merge --cycle``), brings the rule tagger's labels up to date
(``jobcrawler.retag``), runs the LLM labeller if asked, builds the report tables and packages
the site. A job that failed (its run ``failed``, ``interrupted`` or gone without finishing, or
no run database at all) is reported with its log and the cycle stops before merging: the main
database keeps last month's whole state, never a half-crawled month. Run the same command
again: cities whose crawl of this cycle ended ``ok`` or ``degraded`` are not crawled again, and
jobs still queued or running on a server are waited for, not scheduled twice, and so is a crawl
whose server died while it went on (its run database still ``running``, its process alive). One
cycle at a time runs from one runs folder (a lock in it): a second one stops at once.

Scrapyd's credentials (its scrapyd.conf ``username`` / ``password``) come from SCRAPYD_USERNAME
and SCRAPYD_PASSWORD, or from ``~/.netrc``; never from the command line. A server that refuses
them (or asks for some and gets none) stops the cycle with one line.

Exit status: 0 done; 1 stopped (a failed crawl, a server that cannot be reached, a merge, label,
build or package step that failed); 2 done, with degraded runs or closing withheld.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

import requests
import yaml
from scrapy.settings import Settings

from jobcrawler import merge, settings, storage
from jobcrawler.cities import city_key, listing_url, load_cities
from jobcrawler.extensions.crawl_run import check_settings

PROJECT = "jobcrawler"
SPIDER = "builtin"
DONE = ("ok", "degraded")  # a crawl whose data the cycle keeps
MISSED_POLLS = 5  # listjobs.json calls in a row a server may miss before the cycle stops
# A crawl of another machine whose run database says `running` counts as alive while the file was
# written this recently (its process cannot be asked; a crawl writes every few seconds).
QUIET_SECONDS = 600
LOCK_FILE = "cycle.lock"  # in --runs-dir: one cycle at a time crawls from this folder
REPO = Path(__file__).resolve().parent.parent


class CycleError(Exception):
    """Stops the cycle: said in one line, before anything is published."""


@dataclass
class Job:
    city: str
    host: str  # the host its listings are fetched from
    server: str = ""
    job_id: str = ""
    state: str = "waiting"  # waiting -> pending -> running -> finished
    started: float = 0.0
    reported: float = 0.0  # when its progress was last printed
    log_url: str = ""
    run_db: Path | None = None
    run: dict = field(default_factory=dict)  # its crawl_runs row, once finished
    orphan: bool = False  # a crawl of this cycle still running with no server listing it (its Scrapyd died)

    @property
    def status(self) -> str:
        return self.run.get("status") or ("no run database" if self.state == "finished" else self.state)


def scrapyd_credentials() -> tuple[str, str] | None:
    """Scrapyd's username and password from SCRAPYD_USERNAME and SCRAPYD_PASSWORD (the names
    Scrapyd itself reads); None leaves them to ``~/.netrc`` (or the file NETRC names), which
    requests reads by host. Never from the command line, which ``ps`` and logs show."""
    username, password = os.environ.get("SCRAPYD_USERNAME"), os.environ.get("SCRAPYD_PASSWORD")
    if bool(username) != bool(password):
        raise CycleError("set both SCRAPYD_USERNAME and SCRAPYD_PASSWORD, or neither (then ~/.netrc is read)")
    return (username, password) if username else None


class Scrapyd:
    """The few calls of Scrapyd's JSON API the cycle makes, with its credentials when it has some
    (scrapyd.conf ``username`` / ``password``: a Scrapyd reachable beyond loopback without them runs
    any egg anyone uploads)."""

    def __init__(self, url: str, timeout: float = 30, auth: tuple[str, str] | None = None):
        parts = urlparse(url)
        if parts.username or parts.password:
            raise CycleError(f"--scrapyd {parts.scheme}://...@{parts.hostname}: put the credentials in "
                             "SCRAPYD_USERNAME and SCRAPYD_PASSWORD or ~/.netrc, not in the URL (it is printed)")
        self.url = url.rstrip("/") + "/"
        self.timeout = timeout
        self.auth = auth

    def _call(self, method: str, endpoint: str, **kwargs) -> dict:
        try:
            response = requests.request(method, self.url + endpoint, timeout=self.timeout, auth=self.auth, **kwargs)
            if response.status_code == 401:
                given = self.auth is not None or requests.utils.get_netrc_auth(self.url) is not None
                raise CycleError(
                    f"Scrapyd at {self.url} refused the {'credentials given' if given else 'request: no credentials'}"
                    " (401): set SCRAPYD_USERNAME and SCRAPYD_PASSWORD, or a line for its host in ~/.netrc, to the "
                    "username and password of its scrapyd.conf")
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as error:
            raise CycleError(f"Scrapyd at {self.url} cannot be reached ({endpoint}): {error}") from error
        if answer.get("status") != "ok":
            raise CycleError(f"Scrapyd at {self.url} refused {endpoint}: {answer.get('message', answer)}")
        return answer

    def projects(self) -> list[str]:
        return self._call("GET", "listprojects.json")["projects"]

    def add_version(self, egg: Path, version: str) -> dict:
        with egg.open("rb") as handle:
            return self._call("POST", "addversion.json", data={"project": PROJECT, "version": version},
                              files={"egg": (egg.name, handle)})

    def schedule(self, job_id: str, spider_args: dict, crawl_settings: dict) -> None:
        data = [("project", PROJECT), ("spider", SPIDER), ("jobid", job_id), *spider_args.items(),
                *(("setting", f"{name}={value}") for name, value in crawl_settings.items())]
        self._call("POST", "schedule.json", data=data)

    def jobs(self) -> dict[str, dict]:
        """Job id -> its entry with ``state`` (pending, running, finished)."""
        answer = self._call("GET", "listjobs.json", params={"project": PROJECT})
        return {entry["id"]: {**entry, "state": state} for state in ("pending", "running", "finished")
                for entry in answer.get(state, [])}


def build_egg(workdir: Path) -> Path:
    """The project's egg, built by scrapyd-client from setup.py, as ``scrapyd-deploy`` builds it."""
    egg = workdir / "jobcrawler.egg"
    result = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "--build-egg", str(egg)], cwd=REPO,
                            capture_output=True, text=True)
    if result.returncode != 0 or not egg.is_file():
        raise CycleError(f"building the egg failed: {result.stderr.strip()[-500:]}")
    return egg


def parse_pairs(pairs: list[str], what: str) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CycleError(f"{what} {pair!r}: expected NAME=VALUE")
        values[name] = value
    return values


def run_status(path: Path) -> dict:
    """The newest crawl_runs row of a run database ({} if there is none, or no database)."""
    if not path.is_file():
        return {}
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            conn.row_factory = sqlite3.Row
            row = conn.execute("SELECT * FROM crawl_runs ORDER BY started_at DESC, run_id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return {}
    return dict(row) if row else {}


def run_counts(path: Path) -> tuple[int, int] | None:
    """(jobs, sightings) a crawl's database holds while it runs; None if it cannot be read yet."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as conn:
            return conn.execute("SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM sightings)").fetchone()
    except sqlite3.Error:
        return None


def crawl_alive(run: dict, path: Path) -> bool:
    """Whether the process of a ``running`` crawl_runs row still crawls: its pid on this machine,
    or, for another machine's, a run database written in the last QUIET_SECONDS."""
    if run.get("host") == socket.gethostname() and run.get("pid"):
        return storage.process_alive(run["pid"])
    try:
        return time.time() - path.stat().st_mtime < QUIET_SECONDS
    except OSError:
        return False


@contextmanager
def cycle_lock(runs_dir: Path, cycle: str):
    """Held while a cycle runs: a second cycle started from the same runs folder (the same month
    twice, or another) stops at once instead of crawling the same host twice as fast. An flock
    (Linux takes it on an NFS mount too), released by the system when its process dies."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    handle = (runs_dir / LOCK_FILE).open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise CycleError(f"a cycle is already running from {runs_dir} ({holder}): wait for it to end") from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"cycle {cycle}, process {os.getpid()} on {socket.gethostname()}, "
                     f"since {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n")
        handle.flush()
        yield
    finally:
        handle.close()


def say(message: str) -> None:
    print(f"{datetime.now(timezone.utc):%H:%M:%S} {message}", flush=True)


class Cycle:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        credentials = scrapyd_credentials()
        self.servers = [Scrapyd(url, auth=credentials) for url in dict.fromkeys(args.scrapyd)]
        self.settings = parse_pairs(args.setting, "--setting")
        self.spider_args = {"render": "auto", **parse_pairs(args.arg, "--arg")}
        for reserved in ("city", "jobid", "project", "spider", "setting"):
            if reserved in self.spider_args:
                raise CycleError(f"--arg {reserved}=... is set by the cycle itself")
        if "SQLITE_PATH" in self.settings:
            raise CycleError("--setting SQLITE_PATH is set by the cycle (each crawl writes into --runs-dir)")
        # what would otherwise stop every crawl at its start, or the merge after hours of crawling
        crawl_settings = Settings()
        crawl_settings.setmodule(settings)
        crawl_settings.update(self.settings, priority="cmdline")
        try:
            check_settings(crawl_settings)
        except ValueError as error:
            raise CycleError(f"--setting {error}") from error
        if why := storage.being_served(args.db, "merge"):  # checked before open_db writes its journal mode and schema
            raise CycleError(f"--db: {why}")
        if Path(args.db).exists():
            try:
                storage.open_db(args.db).close()
            except storage.StorageError as error:
                raise CycleError(f"--db: {error}") from error
        self.runs_dir = Path(args.runs_dir).resolve() / args.cycle
        self.server_runs_dir = (Path(args.server_runs_dir) if args.server_runs_dir else Path(args.runs_dir).resolve()) \
            / args.cycle
        try:
            known = load_cities(self.settings.get("CITIES_FILE"))
        except ValueError as error:  # --setting CITIES_FILE: missing, not YAML, an entry without a country
            raise CycleError(str(error)) from None
        given = [city.strip() for city in args.cities.split(",") if city.strip()]
        found = {city: city_key(city, ["all", *known], known) for city in given}  # "BERLIN", "New York" too
        every = set(found.values()) == {"all"}
        keys = list(known) if every else list(dict.fromkeys(found.values()))
        if "all" in found.values() and not every:
            raise CycleError("--cities all cannot be combined with city keys: give all, or the keys")
        unknown = [city for city, key in found.items() if key is None]
        if unknown or not keys:
            raise CycleError(f"unknown city {', '.join(unknown) or '(none given)'}: known are {', '.join(known)}")
        base = self.settings.get("BUILTIN_BASE_URL", settings.BUILTIN_BASE_URL)
        query = self.spider_args.get("query", "AI Engineer")
        self.missed: dict[str, int] = {}  # server -> polls missed in a row
        self.jobs = [Job(key, urlparse(listing_url(base, known[key], query)).hostname or "") for key in keys]

    # --- crawling -------------------------------------------------------------------------------
    def crawl(self) -> None:
        self.check_servers()
        self.adopt_earlier_jobs()
        hosts = sorted({job.host for job in self.jobs})
        say(f"cycle {self.args.cycle}: {len(self.jobs)} cities on {len(self.servers)} Scrapyd server(s); at most "
            f"{self.args.max_per_host} crawl(s) at a time per host ({', '.join(hosts)})"
            + ("" if self.args.max_per_host > 1 else "; --max-per-host N allows more"))
        while True:
            self.poll()
            self.start_waiting()
            if all(job.state in ("finished", "skipped") for job in self.jobs):
                break
            if any(job.state == "finished" and job.status not in DONE for job in self.jobs) and not any(
                    job.state in ("pending", "running") for job in self.jobs):
                break
            time.sleep(self.args.poll)

    def check_servers(self) -> None:
        if self.args.deploy:
            with tempfile.TemporaryDirectory() as workdir:
                egg = build_egg(Path(workdir))
                version = str(int(time.time()))
                for server in self.servers:
                    server.add_version(egg, version)
                    say(f"deployed {PROJECT} version {version} to {server.url}")
        for server in self.servers:
            if PROJECT not in server.projects():
                raise CycleError(f"project {PROJECT!r} is not deployed on {server.url}: run `scrapyd-deploy` "
                                 "(see README, Running it every month) or the cycle with --deploy")

    def adopt_earlier_jobs(self) -> None:
        """Cities crawled by an earlier run of this cycle are done; jobs of it still queued or
        running on a server are followed rather than scheduled again."""
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        listed = {server.url: server.jobs() for server in self.servers}
        for job in self.jobs:
            attempts = sorted(self.runs_dir.glob(f"{job.city}-*.db"), key=lambda path: path.stat().st_mtime)
            for path in reversed(attempts):
                run = run_status(path)
                if run.get("status") in DONE:
                    job.state, job.run_db, job.run = "skipped", path, run
                    say(f"[{job.city}] already crawled in this cycle ({run['status']}): {path.name}")
                    break
            if job.state == "skipped":
                continue
            for url, entries in listed.items():
                for job_id, entry in entries.items():
                    if job_id.startswith(self.job_prefix(job.city)) and entry["state"] in ("pending", "running"):
                        job.server, job.job_id, job.state = url, job_id, entry["state"]
                        job.run_db, job.started = self.runs_dir / f"{job.city}-{job_id}.db", time.monotonic()
                        say(f"[{job.city}] {entry['state']} on {url} as job {job_id} (scheduled earlier)")
            if job.state != "waiting":
                continue
            for path in attempts:  # a crawl whose server died while it went on: the city is busy, not crawled twice
                run = run_status(path)
                if run.get("status") == "running" and crawl_alive(run, path):
                    job.state, job.orphan, job.run_db, job.started = "running", True, path, time.monotonic()
                    say(f"[{job.city}] still crawling with no server listing it (process {run.get('pid')} on "
                        f"{run.get('host')}, {path.name}): waiting for it rather than crawling the city twice")
                    break

    def job_prefix(self, city: str) -> str:
        return f"{self.args.cycle}.{city}."

    def start_waiting(self) -> None:
        if any(job.state == "finished" and job.status not in DONE for job in self.jobs):
            return  # a failed crawl: start nothing more
        for job in self.jobs:
            if job.state != "waiting":
                continue
            busy = sum(1 for other in self.jobs if other.host == job.host and other.state in ("pending", "running"))
            if busy >= self.args.max_per_host:
                continue
            server = min(self.servers, key=self.load)
            job.job_id = f"{self.job_prefix(job.city)}{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
            job.server, job.state, job.started = server.url, "pending", time.monotonic()
            job.run_db = self.runs_dir / f"{job.city}-{job.job_id}.db"
            # A rollback journal, not WAL: the runs folder may be one several machines mount.
            crawl_settings = {**self.settings, "SQLITE_PATH": str(self.server_runs_dir / "{city}-{job}.db"),
                              "SQLITE_JOURNAL_MODE": "DELETE"}
            server.schedule(job.job_id, {"city": job.city, **self.spider_args}, crawl_settings)
            say(f"[{job.city}] scheduled on {server.url} as job {job.job_id}")

    def load(self, server: Scrapyd) -> tuple[int, int]:
        """A server's crawls of this cycle under way, then in all: the least loaded gets the next
        city, and with one crawl at a time the servers take turns."""
        mine = [job for job in self.jobs if job.server == server.url]
        return sum(1 for job in mine if job.state in ("pending", "running")), len(mine)

    def poll(self) -> None:
        for job in self.jobs:
            if job.orphan and job.state == "running":
                run = run_status(job.run_db)
                if run.get("status") != "running" or not crawl_alive(run, job.run_db):
                    job.state = "finished"
                    self.finished(job)
        for server in self.servers:
            ours = [job for job in self.jobs if job.server == server.url and job.state in ("pending", "running")]
            if not ours:
                continue
            try:
                entries = server.jobs()
            except CycleError as error:  # a server restarting or a network blip: said, and tried again
                self.missed[server.url] = self.missed.get(server.url, 0) + 1
                if self.missed[server.url] >= MISSED_POLLS:
                    raise
                say(f"warning: {error} (poll {self.missed[server.url]} of {MISSED_POLLS} in a row; trying again)")
                continue
            self.missed[server.url] = 0
            for job in ours:
                entry = entries.get(job.job_id)
                if entry is None:  # Scrapyd restarted and forgot it (its queue is kept; its running jobs are not)
                    entry = {"state": "finished", "log_url": ""}
                job.log_url = entry.get("log_url") or job.log_url
                if entry["state"] == job.state:
                    if job.state == "running" and time.monotonic() - job.reported >= self.args.progress:
                        self.progress(job)
                    continue
                job.state = entry["state"]
                if job.state == "running":
                    job.reported = time.monotonic()
                    say(f"[{job.city}] running on {server.url} (pid {entry.get('pid')})")
                elif job.state == "finished":
                    self.finished(job)

    def progress(self, job: Job) -> None:
        """A running crawl every ``--progress`` seconds: how long, and what its database holds so far."""
        job.reported = time.monotonic()
        counts = run_counts(job.run_db)
        so_far = f": {counts[0]} jobs stored, {counts[1]} listings seen so far" if counts else ""
        say(f"[{job.city}] running for {(job.reported - job.started) / 60:.0f} min{so_far}")

    def finished(self, job: Job) -> None:
        job.run = run_status(job.run_db)
        took = time.monotonic() - job.started
        if job.status in DONE:
            say(f"[{job.city}] finished {job.status} in {took:.0f} s: {job.run.get('listed_jobs')} listed, "
                f"{job.run.get('items_stored')} stored ({job.run.get('jobs_new')} new)"
                + (f"; {'; '.join(json.loads(job.run['status_reasons'] or '[]'))}" if job.status != "ok" else ""))
            return
        why = "; ".join(json.loads(job.run.get("status_reasons") or "[]")) or (
            "its process ended without finishing its run" if job.status == "running" else
            f"no run database at {job.run_db} (the crawl did not start: see its log)" if not job.run else "")
        say(f"[{job.city}] FAILED ({job.status}) after {took:.0f} s: {why}; log: {self.log_link(job)}")

    def log_link(self, job: Job) -> str:
        if job.orphan:
            return str(job.run_db)
        return f"{job.server.rstrip('/')}{job.log_url}" if job.log_url.startswith("/") else job.log_url or job.server

    # --- after the crawls -----------------------------------------------------------------------------
    def failed(self) -> list[Job]:
        return [job for job in self.jobs if job.status not in DONE]

    def merge(self) -> merge.MergeResult:
        paths = [job.run_db for job in self.jobs]
        say(f"merging {len(paths)} run databases into {self.args.db} as cycle {self.args.cycle}")
        try:
            return merge.merge(paths, self.args.db, cycle=self.args.cycle, log=lambda line: say("  " + line))
        except Exception as error:  # MergeError, StorageError, sqlite3.Error: the cycle stops here
            raise CycleError(f"merging failed: {error}") from error

    def label(self) -> None:
        """The rule tagger's labels always: the crawls wrote them, and a re-tag brings every job
        labelled by another taxonomy version (a server running an older egg, older months after a
        rules change) to this checkout's; then the LLM's when asked."""
        self.run_step("labels (rules): re-tagging jobs labelled by another taxonomy version",
                      [sys.executable, "-m", "jobcrawler.retag", "--db", str(self.args.db)])
        if not self.args.llm:
            return
        command = [sys.executable, "-m", "jobcrawler.label", "--db", str(self.args.db), "--model", self.args.llm]
        if self.args.only_uncertain:
            command.append("--only-uncertain")
        self.run_step(f"labelling with {self.args.llm}", command)

    def build(self) -> None:
        """The reports of the rules, and of the LLM's labels: all of them, or with --only-uncertain
        the rules blended with the model's AI type where they doubt (analysis/blend.py)."""
        llm = f"{'rules+' if self.args.only_uncertain else ''}llm:{self.args.llm}"
        sources = ["rules"] + ([llm] if self.args.llm else [])
        for source in sources:
            self.run_step(f"building the reports ({source})",
                          [sys.executable, "-m", "analysis", "build", "--db", str(self.args.db), "--labels", source])

    def run_step(self, what: str, command: list[str]) -> None:
        """A step in a subprocess: its last line printed, all of its output if it fails."""
        say(what + ": " + " ".join(command[1:]))
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        output = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            print(output, file=sys.stderr, flush=True)
            raise CycleError(f"{what} failed (exit {result.returncode}): nothing is published")
        if output:
            say("  " + output.splitlines()[-1])

    def package(self) -> str:
        return package_site(Path(self.args.db), Path(self.args.site_dir), self.args.cycle, self.args.package,
                            self.args.publish, self.args.publish_option, self.run_step)


# --- the site -----------------------------------------------------------------------------------

def docker_usable() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def datasette_options(staging: Path) -> list[str]:
    """The options ``analysis serve`` serves the site with, for ``datasette package`` / ``publish``,
    its plugins and templates staged in ``staging``."""
    from analysis import serve
    plugins, templates = serve.stage_site_files(staging)
    dashboards = next(pin for pin in datasette_pins() if pin.startswith("datasette-dashboards=="))
    return ["--install", dashboards, "--plugins-dir", str(plugins), "--template-dir", str(templates),
            "--extra-options", " ".join(serve.setting_options())]


def datasette_pins() -> list[str]:
    """The Datasette and plugin versions this checkout pins (requirements.txt), for a packaged site."""
    return [line for line in (REPO / "requirements.txt").read_text().splitlines()
            if line.split("==")[0].lower() in ("datasette", "datasette-dashboards")]


# What a published copy of the database leaves out: the LLM labeller's bookkeeping (every answer
# paid for, every request and what its endpoint said), and where and as which process each run ran.
# Hidden tables of the site can still be read row by row, so they are not in the copy at all.
UNPUBLISHED_TABLES = ("label_cache", "label_calls")
UNPUBLISHED_COLUMNS = {"crawl_runs": ("host", "pid", "jobdir"), "label_runs": ("host", "pid", "status_reason")}


def publishable_copy(db: Path, folder: Path) -> Path:
    """``folder/<site name>.db``: one consistent copy of the database (VACUUM INTO reads one
    snapshot), named as the site names it (``site_name.site_database_name``: the name Datasette gives
    the copy is the one its metadata and charts use), without UNPUBLISHED_TABLES and
    UNPUBLISHED_COLUMNS, and with each merged run database named by its file name, not its path;
    vacuumed again, so nothing removed stays in its free pages."""
    from analysis.site_name import site_database_name
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{site_database_name(db)}.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("VACUUM INTO ?", [str(copy)])
    with closing(sqlite3.connect(copy, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in UNPUBLISHED_TABLES:
            if table in tables:
                conn.execute(f'DROP TABLE "{table}"')
        for table, columns in UNPUBLISHED_COLUMNS.items():
            present = [column for column in columns if table in tables and column in
                       {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}]
            if present:
                conn.execute(f'UPDATE "{table}" SET {", ".join(f"{c} = NULL" for c in present)}')
        if "merged_runs" in tables:
            conn.executemany("UPDATE merged_runs SET source = ? WHERE run_id = ?",
                             [(Path(source).name, run_id) for run_id, source in
                              conn.execute("SELECT run_id, source FROM merged_runs WHERE source IS NOT NULL")])
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    return copy


def package_site(db: Path, site_dir: Path, cycle: str, how: str, publish: str | None, publish_options: list[str],
                 run_step) -> str:
    """Publish with ``datasette publish PLATFORM``, or package: a Docker image with ``datasette
    package`` where Docker works, else (or with ``--package tarball``) a tarball holding the
    database, its metadata, the plugins and a script that serves it as ``analysis serve`` does.
    What is published is always ``publishable_copy`` of the database."""
    from analysis import serve
    metadata = serve.metadata_path_for(db)
    if publish:
        with tempfile.TemporaryDirectory() as staging:
            copy = publishable_copy(db, Path(staging) / "database")
            command = [sys.executable, "-m", "datasette", "publish", publish, str(copy), "-m", str(metadata),
                       *datasette_options(Path(staging)), *publish_options]
            run_step(f"publishing with datasette publish {publish}", command)
        return f"published with datasette publish {publish}"
    if how == "none":
        return "not packaged (--package none)"
    if how in ("auto", "docker") and docker_usable():
        tag = f"jobs-site:{cycle}"
        with tempfile.TemporaryDirectory() as staging:
            copy = publishable_copy(db, Path(staging) / "database")
            run_step("packaging the site (datasette package)",
                     [sys.executable, "-m", "datasette", "package", str(copy), "-m", str(metadata),
                      *datasette_options(Path(staging)), "-t", tag])
        return f"Docker image {tag}"
    if how == "docker":
        raise CycleError("--package docker: Docker is not available here (no `docker` command, or its daemon does "
                         "not answer `docker info`); use --package tarball")
    say("packaging the site: Docker is not available (datasette package builds an image with it), writing a tarball")
    return str(site_tarball(db, site_dir, cycle))


RUN_SCRIPT = """#!/bin/sh
# Serve this site read-only as `python -m analysis serve` does: pip install -r requirements.txt, then ./run.sh
# (PORT and HOST from the environment; default 127.0.0.1:8001).
cd "$(dirname "$0")"
exec python3 -m datasette serve -i {db} --metadata metadata.yml --plugins-dir plugins --template-dir templates \\
    --host "${{HOST:-127.0.0.1}}" --port "${{PORT:-8001}}" {settings} "$@"
"""


def site_tarball(db: Path, site_dir: Path, cycle: str) -> Path:
    """``<site_dir>/jobs-site-<cycle>.tar.gz``: ``publishable_copy`` of the database, its metadata,
    the Datasette plugins and templates, the pinned Datasette requirements and ``run.sh``."""
    from analysis import serve
    site_dir.mkdir(parents=True, exist_ok=True)
    target = site_dir / f"jobs-site-{cycle}.tar.gz"
    with tempfile.TemporaryDirectory(dir=site_dir) as workdir:
        root = Path(workdir) / f"jobs-site-{cycle}"
        root.mkdir()
        copy = publishable_copy(db, root)
        (root / "metadata.yml").write_text(yaml.safe_dump(serve.metadata_for(copy.stem), sort_keys=False))
        serve.stage_site_files(root)
        (root / "requirements.txt").write_text("\n".join(datasette_pins()) + "\n")
        script = root / "run.sh"
        script.write_text(RUN_SCRIPT.format(db=copy.name, settings=" ".join(serve.setting_options())))
        script.chmod(0o755)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(root, arcname=root.name)
        partial.replace(target)
    return target


# --- the command ----------------------------------------------------------------------------------

def cycle_name(value: str) -> str:
    """A cycle name goes into the run databases' file names as it is, so it must be fit for one."""
    if not re.fullmatch(r"[\w.-]+", value):
        raise argparse.ArgumentTypeError(f"{value!r}: use letters, digits, '.', '_' or '-'")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m jobcrawler.cycle", description=__doc__.splitlines()[0])
    parser.add_argument("--scrapyd", action="append", required=True, metavar="URL",
                        help="a Scrapyd server (repeatable), e.g. http://127.0.0.1:6800")
    parser.add_argument("--deploy", action="store_true", help="build the egg and deploy it to every server first")
    parser.add_argument("--cities", default="all", help="'all' (cities.yaml) or keys separated by commas")
    parser.add_argument("--cycle", default=f"{datetime.now(timezone.utc):%Y-%m}", type=cycle_name,
                        help="the cycle's name: letters, digits, '.', '_' or '-' (default: this month, YYYY-MM)")
    parser.add_argument("--db", default=settings.SQLITE_PATH,
                        help=f"the main database (default {settings.SQLITE_PATH})")
    parser.add_argument("--runs-dir", default="data/runs", help="where the run databases are read (default data/runs)")
    parser.add_argument("--server-runs-dir", help="the same folder as the servers see it (a shared mount; default: "
                                                  "--runs-dir, made absolute)")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for every crawl (BUILTIN_BASE_URL, USER_AGENT, ...), repeatable")
    parser.add_argument("--arg", action="append", default=[], metavar="NAME=VALUE",
                        help="a spider argument for every crawl (query, render, days, ...), repeatable")
    parser.add_argument("--max-per-host", type=int, default=1,
                        help="crawls at once against one host, over all servers (default 1)")
    parser.add_argument("--poll", type=float, default=10.0, help="seconds between listjobs.json polls (default 10)")
    parser.add_argument("--progress", type=float, default=60.0,
                        help="seconds between progress lines of a running crawl (default 60)")
    parser.add_argument("--llm", metavar="MODEL", help="also label with python -m jobcrawler.label --model MODEL")
    parser.add_argument("--only-uncertain", action="store_true",
                        help="with --llm: send the model only the postings whose rule-tagger AI type is doubtful "
                             "(label --only-uncertain), and build the reports of rules+llm:MODEL")
    parser.add_argument("--package", choices=("auto", "docker", "tarball", "none"), default="auto",
                        help="auto: datasette package where Docker works, else a tarball (default)")
    parser.add_argument("--site-dir", default="site", help="where the tarball goes (default site/)")
    parser.add_argument("--publish", metavar="PLATFORM", help="datasette publish PLATFORM (cloudrun, heroku, ...) "
                                                              "instead of packaging")
    parser.add_argument("--publish-option", action="append", default=[], metavar="OPTION",
                        help="passed on to datasette publish, e.g. --publish-option=--service=ai-jobs")
    args = parser.parse_args(argv)
    if args.only_uncertain and not args.llm:
        parser.error("--only-uncertain goes with --llm MODEL")
    if args.max_per_host < 1:
        parser.error("--max-per-host must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    try:
        cycle = Cycle(args)
        with cycle_lock(Path(args.runs_dir), args.cycle):
            cycle.crawl()
            failed = cycle.failed()
            if failed:
                say(f"stopped: {len(failed)} of {len(cycle.jobs)} crawls did not finish ok "
                    f"({', '.join(f'{job.city}: {job.status}' for job in failed)}); nothing was merged or published. "
                    "Run the same command again to crawl them (finished cities are kept).")
                summary(cycle, None, None, started)
                return 1
            merged = cycle.merge()
            cycle.label()
            cycle.build()
            site = cycle.package()
    except CycleError as error:
        say(f"stopped: {error}")
        return 1
    except KeyboardInterrupt:
        say("interrupted: crawls already scheduled go on on their servers; run the same command again to wait for "
            "them and finish the cycle")
        return 1
    summary(cycle, merged, site, started)
    degraded = merged.withheld or any(job.status == "degraded" for job in cycle.jobs)
    return 2 if degraded else 0


def summary(cycle: Cycle, merged: merge.MergeResult | None, site: str | None, started: float) -> None:
    print(f"\ncycle {cycle.args.cycle} summary ({time.monotonic() - started:.0f} s):", flush=True)
    for job in cycle.jobs:
        run = job.run
        print(f"  {job.city:<14} {job.status:<16} {run.get('listed_jobs', '-')!s:>5} listed "
              f"{run.get('items_stored', '-')!s:>5} stored  {job.server or '-'} {job.job_id or ''}")
    if merged:
        print(f"  merged into {cycle.args.db}: {merged.runs_added} runs added ({merged.runs_known} already there), "
              f"{merged.jobs_new} new jobs, {merged.closed} closed"
              + (f"; closing withheld: {'; '.join(merged.withheld)}" if merged.withheld else ""))
    if site:
        print(f"  site: {site}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
