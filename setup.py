"""Packaging for Scrapyd: ``scrapyd-deploy`` builds an egg from this file (``setup.py bdist_egg``).

The egg holds the ``jobcrawler`` package with its YAML data (city registry, taxonomy and
category rules, the Field Guide definitions, the replay corpus), read through
``importlib.resources`` so they load from the zipped egg Scrapyd runs. Its dependencies are
not in the egg: install requirements.txt into the Scrapyd host's environment (lxml and
pyahocorasick are compiled and cannot load from a zip). ``analysis`` (reports, site) is not
deployed: it runs where the runs are merged.
"""

from setuptools import find_packages, setup

setup(
    name="jobcrawler",
    version="0.1",
    description="builtin.com job postings into a queryable SQLite analysis",
    license="MIT",
    python_requires=">=3.11",
    packages=find_packages(include=["jobcrawler", "jobcrawler.*"]),
    package_data={"jobcrawler": ["*.yaml", "*/*.yaml", "tagging/*.json"]},
    entry_points={"scrapy": ["settings = jobcrawler.settings"]},
    zip_safe=True,
)
