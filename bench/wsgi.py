"""config.wsgi's application with bench/settings.py: the product plus the bench's write floor (bench/urls.py)."""

from __future__ import annotations

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from config.wsgi import application

__all__ = ["application"]
