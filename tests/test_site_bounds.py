"""What one request to the published site can cost or reveal (issue 17, case 4): a huge single
value (zeroblob, randomblob, group_concat) is an error answered at once, every stored value is
still served, and ``/-/databases.json`` does not show where the database file lives. In-process
through Datasette's client, and against the real ``analysis serve`` process for its memory."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette

from analysis.build import build
from analysis.serve import METADATA_DATABASE, PLUGINS_DIR, SETTINGS, datasette_command, metadata_for
from report_fixtures import build_fixture_db, free_port, serve_command, start_server, wait_until_up

pytestmark = pytest.mark.anyio

MAX_VALUE_BYTES = 8 * 2**20  # the plugin's limit, restated: the tests pin the documented figure
HUGE = {
    "zeroblob": "select zeroblob(1000000000)",
    "randomblob": "select randomblob(500000000)",
    "group_concat": "with recursive n(i) as (select 1 union all select i + 1 from n limit 200) "
                    "select group_concat(zeroblob(1000000)) from n",
    "repeated text": "select replace(hex(zeroblob(5000000)), '0', 'ab')",
}


@pytest.fixture(scope="module")
def site_db(tmp_path_factory) -> Path:
    path = build_fixture_db(tmp_path_factory.mktemp("bounds") / f"{METADATA_DATABASE}.db")
    build(path)
    return path


@pytest.fixture
async def datasette(site_db):
    ds = Datasette(immutables=[str(site_db)], metadata=metadata_for(site_db.stem), settings=SETTINGS,
                   plugins_dir=str(PLUGINS_DIR))
    await ds.invoke_startup()
    return ds


async def sql(datasette, query: str):
    return await datasette.client.get(f"/{METADATA_DATABASE}.json?" + urlencode({"sql": query, "_shape": "array"}))


@pytest.mark.parametrize("name", list(HUGE))
async def test_a_huge_value_is_an_error_answered_at_once(datasette, name):
    started = time.monotonic()
    response = await sql(datasette, HUGE[name])
    assert time.monotonic() - started < 1.0
    assert response.status_code == 400
    assert "too big" in response.json()["error"]


async def test_the_limit_is_the_documented_size(datasette):
    assert (await sql(datasette, f"select length(zeroblob({MAX_VALUE_BYTES})) n")).json() == [{"n": MAX_VALUE_BYTES}]
    assert (await sql(datasette, f"select length(zeroblob({MAX_VALUE_BYTES + 1})) n")).status_code == 400


async def test_every_stored_value_is_still_served(datasette, site_db):
    """Whole rows, sorted (SQLite's sorter counts a whole row against the limit too)."""
    response = await datasette.client.get(f"/{METADATA_DATABASE}/jobs.json?_shape=array&_size=max&_sort=description")
    assert response.status_code == 200 and response.json()
    longest = (await sql(datasette, "select max(length(description)) n from jobs")).json()[0]["n"]
    assert 0 < longest < MAX_VALUE_BYTES


async def test_the_database_path_is_not_shown(datasette, site_db):
    for path in ("/-/databases.json", "/-/databases"):
        response = await datasette.client.get(path)
        assert response.status_code == 200
        assert str(site_db) not in response.text and str(site_db.parent) not in response.text
    databases = (await datasette.client.get("/-/databases.json")).json()
    assert [db["name"] for db in databases] == [METADATA_DATABASE]
    assert "path" not in databases[0] and databases[0]["is_mutable"] is False


def test_serve_loads_the_plugin():
    command = datasette_command("data/jobs.db", "analysis/metadata.yml")
    assert command[command.index("--plugins-dir") + 1] == str(PLUGINS_DIR)


def peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from /proc")
def test_the_served_site_answers_huge_values_without_growing(tmp_path):
    """Against ``analysis serve`` itself: each huge value is a quick error, the process's peak
    memory stays far below the gigabyte asked for, and the site still answers afterwards."""
    db = build_fixture_db(tmp_path / f"{METADATA_DATABASE}.db")
    build(db)
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_server(serve_command(db, port), log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/versions.json", server, log)
        before = peak_rss_mib(server.pid)
        for query in HUGE.values():
            url = f"{base}/{METADATA_DATABASE}.json?" + urlencode({"sql": query})
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib.request.urlopen(url, timeout=10)
            assert error.value.code == 400
        grown = peak_rss_mib(server.pid) - before
        assert grown < 100, f"peak memory grew by {grown:.0f} MiB"
        with urllib.request.urlopen(f"{base}/{METADATA_DATABASE}/jobs.json?_shape=array", timeout=10) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=15)
