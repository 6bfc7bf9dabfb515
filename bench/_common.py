"""Helpers shared by the benchmark scripts: paths, machine line, JSON result files.

Every benchmark prints its own figures; with ``--json PATH`` it also writes them as JSON,
which ``bench/run_all.py`` collects into ``bench/results/latest.md``.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = SHARED / "builtin-sample"
RESULTS = REPO / "bench" / "results"
PYTHON = sys.executable


def machine() -> str:
    """``nproc`` and the CPU model, one line."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def write_json(path: str | Path | None, data: dict) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=2, default=str))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def replay_process(jobs_per_city: int, seed: int = 1, timeout: float = 120.0):
    """The replay site in its own process (as a crawl meets the real site); yields (base URL, pid)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [PYTHON, "-m", "jobcrawler.replay", "--port", str(port), "--jobs-per-city", str(jobs_per_city),
         "--seed", str(seed), "--quiet"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + "/__log?since=999999999", timeout=2):  # not logged itself
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"replay site did not start: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request_log(base: str, since: int = 0) -> list[dict]:
    with urllib.request.urlopen(f"{base}/__log?since={since}", timeout=60) as response:
        return json.load(response)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
