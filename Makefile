# jobcrawler: `make demo` (offline demo end to end), `make test`, `make bench`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
REPLAY_PORT ?= 8765
DATASETTE_PORT ?= 8001
DEMO_DB ?= data/demo.db
DEMO_CITY ?= berlin

.PHONY: install test demo bench clean cycle

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt jobcrawler/crawl_start.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "jobcrawler needs Python 3.11 or newer: make PYTHON=/path/to/python3.11 ..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	@# The checkout on the virtualenv's path: `python -m analysis` and `python -m jobcrawler...` then
	@# import from any folder, and say what is missing instead of "No module named analysis"; and a
	@# Ctrl-C while `scrapy crawl` starts is one line and exit 3 (jobcrawler/crawl_start.py).
	$(BIN)/python -m jobcrawler.crawl_start "$(CURDIR)"
	touch $@

# The suite on every core (pytest-xdist: each test goes to the next free worker; TEST_WORKERS=0 runs it in
# this one process). Tests that build or copy the checkout take turns (tests/helpers.py, checkout_lock).
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# Replay site on 127.0.0.1 -> crawl one city -> report tables -> Datasette (Ctrl-C to stop).
# Both ports, and that no site serves the demo database (one on other ports: the crawl into it would be
# refused once the replay site ran), are checked first: beside a running demo, one line and a stop before anything.
# Politeness is off against our own local server; its pages need no browser (render=never).
# A degraded crawl (exit 2) still builds the site; a failed one stops here. The replay site keeps
# running while the site is served, so the job pages' posting links open; the last line printed
# is the address to open.
demo: install
	@$(BIN)/python -I jobcrawler/storage/served.py '$(DEMO_DB)' 'make demo'
	@$(BIN)/python -m jobcrawler.replay.wait --ports-free $(REPLAY_PORT) $(DATASETTE_PORT)
	@mkdir -p data
	@set -e; \
	$(BIN)/python -m jobcrawler.replay --port $(REPLAY_PORT) --quiet & replay=$$!; \
	trap 'kill $$replay 2>/dev/null' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/python -m jobcrawler.replay.wait http://127.0.0.1:$(REPLAY_PORT)/robots.txt; \
	kill -0 $$replay 2>/dev/null || { echo "make demo: the replay site did not start (see above)"; exit 1; }; \
	$(BIN)/scrapy crawl builtin -a city=$(DEMO_CITY) \
		-s BUILTIN_BASE_URL=http://127.0.0.1:$(REPLAY_PORT) -s SQLITE_PATH=$(DEMO_DB) \
		-a render=never -s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=0 -s LOG_LEVEL=WARNING \
		|| [ $$? -eq 2 ]; \
	built=$$($(BIN)/python -m analysis build --db $(DEMO_DB)) || { echo "$$built"; exit 1; }; \
	echo "$$built" | tail -n 1; \
	$(BIN)/python -m analysis serve --db $(DEMO_DB) --port $(DATASETTE_PORT)

# The monthly cycle on Scrapyd (README, "Running it every month"): crawl every city, merge, build, package.
SCRAPYD ?= http://127.0.0.1:6800
cycle: install
	$(BIN)/python -m jobcrawler.cycle $(foreach url,$(SCRAPYD),--scrapyd $(url)) $(CYCLE_ARGS)

bench: install  # figures into bench/results/latest.md; BENCH_ARGS=--quick for a smoke run
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Removes what the demo, the HTTP cache, the benchmarks and packaging (build/, egg-info) made; never data/jobs.db (your crawls).
# The metadata `analysis serve` writes beside the demo database, under its site name (analysis/site_name.py, run by
# the Python that makes the virtualenv, so it works before `make install`; the name of an older version, the stem, too).
DEMO_SITE_NAME = $(shell $(PYTHON) analysis/site_name.py '$(DEMO_DB)' 2>/dev/null)
# First, unless a site serves the demo database (removed under it, every page answered 500).
clean:
	$(if $(PYTHON),@$(PYTHON) -I jobcrawler/storage/served.py '$(DEMO_DB)' 'make clean')
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(dir $(DEMO_DB)).$(basename $(notdir $(DEMO_DB))).datasette-metadata.yml
	$(if $(DEMO_SITE_NAME),rm -f $(dir $(DEMO_DB)).$(DEMO_SITE_NAME).datasette-metadata.yml)
	rm -rf .scrapy bench/results build jobcrawler.egg-info
