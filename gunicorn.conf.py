"""gunicorn reads this file from the working directory (`make run`, `make bench`, and any gunicorn started in the
repository).

The access log is on (to stdout) and never holds a credential: config/access_log.py
redacts codes and tokens in query strings and the Referer.
"""

from __future__ import annotations

import gc
import os

import dj_database_url

from config.env import env_int

accesslog = "-"
logger_class = "config.access_log.RedactingLogger"


def worker_model(database_url: str) -> tuple[str, int]:
    """The worker class and threads per worker for the database at `database_url` (`make bench` chose them).

    A worker runs Python on one core at a time (the GIL); threads help it only while a request waits.
    On PostgreSQL a request waits for each round trip to the server, so 4 threads keep the core busy:
    one pinned worker served the API list at 0.38 of the floor's rate with threads, 0.26 without, and
    its p99 fell from 3.1 to 1.3 times the floor's. On SQLite reads never wait, and writers queue for
    the one write lock by sleeping in SQLite's busy handler: threads brought nothing to the list and
    took a POST's p99 from 76 ms to 300-600 ms, so a sync worker serves SQLite.
    """
    engine = dj_database_url.parse(database_url or "sqlite://")["ENGINE"]
    return ("sync", 1) if engine == "django.db.backends.sqlite3" else ("gthread", 4)


worker_class, threads = worker_model(os.environ.get("DATABASE_URL", ""))
# One worker per core this server may run on; gunicorn's own WEB_CONCURRENCY (or --workers) overrides.
workers = env_int("WEB_CONCURRENCY", len(os.sched_getaffinity(0)), minimum=1)

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
