"""gunicorn.conf.py: the worker model `make run` and `make bench` serve with, chosen from DATABASE_URL."""

from __future__ import annotations

import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from bench.server import gunicorn_conf as load_conf


@pytest.mark.parametrize(
    ("database_url", "model"),
    [
        ("", ("sync", 1)),
        ("sqlite:////tmp/abc/db.sqlite3", ("sync", 1)),
        ("postgres://postgres@127.0.0.1:5432/abc", ("gthread", 4)),
        ("postgresql://u:p@db.example:5432/abc", ("gthread", 4)),
    ],
)
def test_the_worker_model_follows_the_database(monkeypatch, database_url, model):
    monkeypatch.setenv("DATABASE_URL", database_url)
    conf = load_conf()
    assert (conf.worker_class, conf.threads) == model


def test_one_worker_per_usable_cpu_unless_web_concurrency_says(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert load_conf().workers == len(os.sched_getaffinity(0))
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert load_conf().workers == 3
    monkeypatch.setenv("WEB_CONCURRENCY", "0")
    with pytest.raises(ImproperlyConfigured, match="WEB_CONCURRENCY"):
        load_conf()
