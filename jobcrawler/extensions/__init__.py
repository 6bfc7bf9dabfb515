"""Scrapy extensions: run-level concerns wired through ``from_crawler`` and signals."""
