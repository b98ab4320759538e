"""The product's settings (config/settings.py) as they are, plus one route the bench alone serves (bench/urls.py)."""

from __future__ import annotations

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
