"""gunicorn reads this file from the working directory (`make run`, `make bench`, and any gunicorn started in the
repository).

The access log is on (to stdout) and never holds a credential: config/access_log.py
redacts codes and tokens in query strings and the Referer.
"""

from __future__ import annotations

import gc

accesslog = "-"
logger_class = "config.access_log.RedactingLogger"

# Python's cyclic garbage collector: a request allocates a few thousand objects, so with the
# default first threshold (700) a collection ran every request or two, and a full collection
# walked every object of Django, the URLconf and the models loaded at start-up (tens of
# milliseconds: the slowest answers). Once the application is loaded, its objects are moved
# out of the collector's sight (gc.freeze: they live as long as the worker anyway), and the
# young generation is collected every 20,000 allocations rather than 700.
GC_THRESHOLDS = (20_000, 10, 10)


def post_worker_init(worker: object) -> None:
    """After the worker imported the application (config.wsgi), before its first request."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
