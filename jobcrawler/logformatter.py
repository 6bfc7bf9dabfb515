"""Log lines that fit on a screen: a dropped posting is logged by its reason, not its HTML."""

import logging

from scrapy.logformatter import LogFormatter


class ConciseLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider=None):
        return {"level": logging.INFO, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
