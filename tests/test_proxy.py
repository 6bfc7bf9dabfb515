"""Crawling through a proxy: the replay site through a real forwarding proxy (tests/proxy_server.py),
with and without credentials, plain and rendered; a proxy that refuses is one line and a failed
run; the password is printed nowhere and stored nowhere.

The proxy alone knows the name ``builtin.test``: a crawl of ``http://builtin.test:PORT`` can only
read a page through it."""

from __future__ import annotations

import os

import pytest

from jobcrawler.middlewares import configured_proxies, masked
from jobcrawler.replay import ReplaySite
from tests.helpers import crawl, rows
from tests.proxy_server import ForwardingProxy, refusing_port

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pa55-w0rd-never-shown"
# The replay site's own links point at 127.0.0.1: followed too (through the proxy: Scrapy does
# not bypass a configured proxy for loopback addresses).
THROUGH_PROXY = {"BUILTIN_HOST_PATTERN": r"^127\.0\.0\.1$"}


@pytest.fixture(scope="module")
def site():
    with ReplaySite(jobs_per_city=5, seed=2) as replay:
        yield replay


def hidden_name(site) -> str:
    return f"http://builtin.test:{site.port}"


def no_secret_anywhere(result, db) -> None:
    assert PASSWORD not in result.stdout + result.stderr
    for path in db.parent.glob(db.name + "*"):
        assert PASSWORD.encode() not in path.read_bytes()


def test_a_crawl_through_a_proxy_reads_every_page_through_it(site, tmp_path):
    with ForwardingProxy(hosts={"builtin.test": "127.0.0.1"}) as proxy:
        result = crawl(hidden_name(site), tmp_path / "p.db", "city=berlin", PROXY_URL=proxy.url(), **THROUGH_PROXY)
    assert result.returncode == 0, result.stderr[-2000:]
    assert rows(tmp_path / "p.db", "SELECT count(*) n FROM jobs") == [{"n": 5}]
    targets = [target for _method, target, _ in proxy.requests]
    assert any(t.startswith("http://builtin.test:") and "/jobs?" in t for t in targets)
    assert sum("/job/" in t for t in targets) >= 5


def test_a_proxy_with_credentials_gets_them_and_the_password_is_shown_nowhere(site, tmp_path):
    db = tmp_path / "c.db"
    with ForwardingProxy(credentials=("crawler", PASSWORD), hosts={"builtin.test": "127.0.0.1"}) as proxy:
        result = crawl(hidden_name(site), db, "city=berlin", PROXY_URL=proxy.url("crawler", PASSWORD),
                       LOG_LEVEL="DEBUG", **THROUGH_PROXY)
    assert result.returncode == 0, result.stderr[-2000:]
    assert proxy.requests and all(authorized for _m, _t, authorized in proxy.requests)
    assert rows(db, "SELECT count(*) n FROM jobs") == [{"n": 5}]
    no_secret_anywhere(result, db)


def test_a_list_of_proxies_is_taken_in_turn(site, tmp_path):
    hosts = {"builtin.test": "127.0.0.1"}
    with ForwardingProxy(hosts=hosts) as first, ForwardingProxy(hosts=hosts) as second:
        result = crawl(hidden_name(site), tmp_path / "l.db", "city=berlin",
                       PROXY_LIST=f"{first.url()},{second.url()}", **THROUGH_PROXY)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(first.requests) >= 3 and len(second.requests) >= 3


def test_a_proxy_refusing_the_credentials_is_one_line_and_a_failed_run(site, tmp_path):
    db = tmp_path / "r.db"
    with ForwardingProxy(credentials=("crawler", "right"), hosts={"builtin.test": "127.0.0.1"}) as proxy:
        result = crawl(hidden_name(site), db, "city=berlin", PROXY_URL=proxy.url("crawler", PASSWORD),
                       LOG_LEVEL="WARNING", **THROUGH_PROXY)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "Cannot reach" in line]
    assert len(errors) == 1 and "407 Proxy Authentication Required" in errors[0] and "crawler:***@" in errors[0]
    assert "stopping the crawl of berlin" in errors[0]
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("crawl failed (run 1): berlin, 0 listed")
    assert len(proxy.requests) <= 3  # no minutes of retries
    no_secret_anywhere(result, db)


def test_a_proxy_that_is_down_is_one_line_and_a_failed_run(site, tmp_path):
    result = crawl(hidden_name(site), tmp_path / "d.db", "city=berlin",
                   PROXY_URL=f"http://127.0.0.1:{refusing_port()}", LOG_LEVEL="WARNING")
    assert result.returncode == 1
    assert ": connection refused; stopping the crawl of berlin" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_site_that_cannot_be_resolved_is_one_early_line_naming_the_city(tmp_path):
    result = crawl("http://builtin.invalid", tmp_path / "n.db", "city=berlin", LOG_LEVEL="WARNING")
    assert result.returncode == 1
    assert "Cannot reach builtin.invalid: DNS lookup failed; stopping the crawl of berlin" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].endswith("| cannot reach builtin.invalid: DNS lookup failed")
    assert "crawl failed (run 1): berlin," in result.stderr


@pytest.mark.browser
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"no browser at {CHROMIUM}: apt-get install chromium")
@pytest.mark.parametrize("credentials", [None, ("crawler", PASSWORD)], ids=["open", "with-credentials"])
def test_rendered_pages_go_through_the_same_proxy(site, tmp_path, credentials):
    db = tmp_path / "b.db"
    with ForwardingProxy(credentials=credentials, hosts={"builtin.test": "127.0.0.1"}) as proxy:
        result = crawl(hidden_name(site), db, "city=berlin", "render=always",
                       PROXY_URL=proxy.url(*credentials) if credentials else proxy.url(),
                       BROWSER_EXECUTABLE_PATH=CHROMIUM, **THROUGH_PROXY)
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(db, "SELECT rendered_pages FROM crawl_runs")[0]["rendered_pages"] >= 1
    assert rows(db, "SELECT count(*) n FROM jobs") == [{"n": 5}]
    # The browser asked the proxy for the listing page, which only the proxy can resolve.
    assert any(t.startswith("http://builtin.test:") and "/jobs?" in t and ok for _m, t, ok in proxy.requests)
    no_secret_anywhere(result, db)


@pytest.mark.parametrize("url", ["127.0.0.1:8080", "socks5://127.0.0.1:1080", "http://user:secret@host"])
def test_a_proxy_url_that_is_not_one_is_refused_with_its_password_masked(url):
    with pytest.raises(ValueError, match="is not http") as error:
        configured_proxies(_Settings(url))
    assert "secret" not in str(error.value)


class _Settings(dict):
    def __init__(self, url):
        super().__init__(PROXY_URL=url)

    def getlist(self, name):
        return []


def test_masked_hides_only_the_password():
    assert masked("http://crawler:s3cret@proxy.example:8000") == "http://crawler:***@proxy.example:8000"
    assert masked("http://proxy.example:8000") == "http://proxy.example:8000"
