"""gunicorn.conf.py: the worker model `make run` and `make bench` serve with, chosen from DATABASE_URL."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load_conf() -> ModuleType:
    """gunicorn.conf.py as gunicorn reads it: executed afresh with the current environment."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
