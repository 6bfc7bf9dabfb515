"""Pure parsers for builtin.com pages: text in, plain values out, no Scrapy engine, no I/O.

* ``detail.parse_detail`` reads a job page into the page fields of ``JobItem``;
* ``listing.parse_listing`` reads a search result page into cards and the next-page link;
* ``jsonld`` finds and decodes the JSON-LD blocks both rely on.
"""
