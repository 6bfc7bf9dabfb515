"""Request fingerprints that tell a rendered request from a plain one for the same URL."""

from __future__ import annotations

import hashlib

from scrapy.utils.request import RequestFingerprinter


class RenderAwareFingerprinter(RequestFingerprinter):
    """Scrapy's fingerprint, salted when ``meta["playwright"]`` is set.

    Without it the HTTP cache would answer a rendered request with the cached plain page
    (the very page that had to be rendered), and the dupefilter would drop the render.
    """

    def fingerprint(self, request) -> bytes:
        plain = super().fingerprint(request)
        if not request.meta.get("playwright"):
            return plain
        return hashlib.sha1(plain + b"|rendered").digest()
