"""Scrapy settings for jobcrawler, grouped by concern.

Every default can be overridden on the command line with ``-s NAME=value``; every
custom setting (the ones without a Scrapy prefix) is documented in docs/crawling.md.
"""

BOT_NAME = "jobcrawler"
SPIDER_MODULES = ["jobcrawler.spiders"]
NEWSPIDER_MODULE = "jobcrawler.spiders"
COMMANDS_MODULE = "jobcrawler.commands"  # `scrapy crawl` exits non-zero on a failed run

# --- Target site ------------------------------------------------------------------------
# Every spider URL is built from this, so the same spider crawls builtin.com or the
# local replay site (`python -m jobcrawler.replay`).
BUILTIN_BASE_URL = "https://builtin.com"
# Hosts whose detail links are followed besides the base URL's own host.
BUILTIN_HOST_PATTERN = r"(^|\.)builtin[a-z]*\.com$"
CITIES_FILE = None  # None: the packaged jobcrawler/cities.yaml

# --- Storage ------------------------------------------------------------------------------
SQLITE_PATH = "data/jobs.db"
STORE_BATCH_SIZE = 50  # jobs written per transaction
STORE_BATCH_SECONDS = 2.0  # ... or fewer, once the oldest has waited this long
SQLITE_BUSY_TIMEOUT = 60.0  # seconds a write waits for another process's lock before it fails
SQLITE_JOURNAL_MODE = "WAL"  # DELETE for a database on a folder several machines mount (the cycle sets it)

# --- Proxies ------------------------------------------------------------------------------
# builtin.com blocks many cloud addresses: crawl through a proxy. PROXY_URL is one proxy,
# http(s)://user:password@host:port; PROXY_LIST several (a residential pool; comma-separated on
# the command line), taken in turn by each request. Plain downloads and the browser use the
# same proxy. Without either, the http_proxy / https_proxy environment variables apply.
PROXY_URL = ""
PROXY_LIST = []

# --- Politeness ---------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
USER_AGENT = "jobcrawler/0.1 (job-market research; set USER_AGENT to name yourself and a contact)"
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.5
DOWNLOAD_DELAY_JITTER = 0.3  # each delay is 1.5 s ± 30%: never under a second
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.5
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# A builtin page is 66-152 KB (154 saved pages): a response past DOWNLOAD_MAXSIZE, sent or once
# decompressed (a gzip bomb stops inflating there), is given up at once as `size_limit`.
DOWNLOAD_MAXSIZE = 4 * 2**20  # 4 MiB (Scrapy's default is 1 GiB)
DOWNLOAD_WARNSIZE = 1 * 2**20  # 1 MiB: logged (Scrapy's default is 32 MiB)

# --- Retries and backoff ------------------------------------------------------------------
# jobcrawler's RetryMiddleware replaces Scrapy's: same settings, plus it waits as long as
# the server's Retry-After asks (capped) and backs off exponentially otherwise.
RETRY_ENABLED = True
RETRY_TIMES = 5
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 1.0  # seconds; the n-th retry waits base * 2**(n-1) without Retry-After
RETRY_BACKOFF_MAX = 60.0  # cap for exponential backoff
RETRY_AFTER_MAX = 300.0  # cap for a server's Retry-After
# Scrapy's redirect and decompression middlewares, with what they drop given up by reason
# (redirect_loop, duplicate_after_redirect, too_many_redirects, size_limit): see middlewares.py.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "jobcrawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "jobcrawler.middlewares.SizeLimitedCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "jobcrawler.middlewares.GiveUpRedirectMiddleware": 600,
    "jobcrawler.middlewares.ProxyMiddleware": 740,  # before Scrapy's HttpProxyMiddleware (750) reads meta["proxy"]
    "jobcrawler.middlewares.UnreachableSiteMiddleware": 745,  # sees a download error before the retries (550)
}
# The spider retries a 200 block, challenge or cut-short page itself (get_retry_request), which
# carries these keys over on purpose: Scrapy's copied-meta warning is not about them.
META_COPY_WARN_SKIP_KEYS = ["retry_times", "download_latency"]

# --- Items ----------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "jobcrawler.pipelines.ValidatePipeline": 100,
    "jobcrawler.pipelines.TitlePipeline": 200,
    "jobcrawler.pipelines.DescriptionPipeline": 210,
    "jobcrawler.pipelines.SalaryPipeline": 220,
    "jobcrawler.pipelines.LocationPipeline": 230,
    "jobcrawler.pipelines.DatesPipeline": 240,
    "jobcrawler.pipelines.CompanyPipeline": 250,
    "jobcrawler.pipelines.RecencyPipeline": 300,
    "jobcrawler.pipelines.DeduplicatePipeline": 400,
    "jobcrawler.pipelines.TagPipeline": 500,
    "jobcrawler.pipelines.StorePipeline": 900,
}

# --- JavaScript rendering (scrapy-playwright; used per page by `-a render=auto|always`) -------
# The spider installs Playwright's download handlers only when a run may render (render is not
# `never` and the browser exists), since they cost about a second per crawl even unused; see
# docs/crawling.md, "JavaScript rendering", for what it costs. Debian's chromium is the default browser;
# set BROWSER_EXECUTABLE_PATH to "" to use one from `playwright install` where that works.
# --no-sandbox: Chromium refuses to start as root without it (containers, CI).
BROWSER_EXECUTABLE_PATH = "/usr/bin/chromium"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run"],
    "timeout": 30_000,
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_ABORT_REQUEST = "jobcrawler.rendering.skip_heavy_resources"
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
# Rendered and plain responses of one URL are different requests for the dupefilter and the
# HTTP cache (Scrapy's fingerprint ignores meta["playwright"]).
REQUEST_FINGERPRINTER_CLASS = "jobcrawler.fingerprint.RenderAwareFingerprinter"

# --- The crawl run ---------------------------------------------------------------------------
# Starts (or resumes) the crawl_runs row, judges the run at the end, closes jobs no longer
# listed and sets the exit status; after Scrapy's SpiderState (order 0), which loads spider.state.
EXTENSIONS = {"jobcrawler.extensions.crawl_run.CrawlRun": 500, "jobcrawler.extensions.progress.Progress": 510}
# Per-city progress on stderr every PROGRESS_INTERVAL seconds (0: none), instead of Scrapy's
# once-a-minute LogStats line (whose item count includes sightings).
PROGRESS_INTERVAL = 10.0
LOGSTATS_INTERVAL = 0

# --- Data-quality checks at the end of each crawl --------------------------------------------
# A breach marks the crawl_runs row `degraded` (or `failed`) and `scrapy crawl` exits non-zero.
QUALITY_MIN_COVERAGE = {"company": 0.99, "posted_date": 0.95, "location": 0.95, "description": 0.95, "salary": 0.90}
QUALITY_MIN_STORED_RATIO = 0.95  # jobs stored or seen / jobs listed
QUALITY_MAX_GAVE_UP_RATIO = 0.02  # requests given up on / jobs listed
# A complete listing closes the jobs it no longer shows, unless that is more than this share of
# the open jobs of its cities at once (then nothing is closed and the run is degraded).
CLOSE_MAX_SHARE = 0.5

# --- Resumption and caching -----------------------------------------------------------------
# Resume an interrupted crawl with `-s JOBDIR=crawls/berlin-1`; re-process a saved crawl
# without the network with `-s HTTPCACHE_ENABLED=1` (responses kept in .scrapy/httpcache).
HTTPCACHE_ENABLED = False
HTTPCACHE_EXPIRATION_SECS = 0
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_IGNORE_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]

# --- Services Scrapy starts by default that a crawler does not need --------------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- Runtime ----------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_FORMATTER = "jobcrawler.logformatter.ConciseLogFormatter"
# Scrapy re-reads each callback's source on every response to warn about `return` in
# generators; ours have none, and it costs ~0.4 ms a page.
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_LEVEL = "INFO"
