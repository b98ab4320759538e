"""Small typed readers for environment variables.

Each one fails loudly (ImproperlyConfigured) on a value it cannot parse, so a
typo in the environment stops the process at start instead of being ignored.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be >= {minimum}, got {value}")
    return value


def env_optional_int(name: str, *, minimum: int | None = None) -> int | None:
    """An integer, or None when the variable is unset or empty (no limit)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    return env_int(name, 0, minimum=minimum)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute URL without a trailing slash (or "" when unset and no default)."""
    value = env_str(name, default)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise ImproperlyConfigured(f"{name} must be an absolute {'/'.join(schemes)} URL, got {value!r}")
    return value.rstrip("/")


def env_hostname(name: str) -> str:
    """A bare host name such as 'example.eu.auth0.com' (no scheme, no path)."""
    value = env_str(name)
    if not value:
        return ""
    if "://" in value or "/" in value.rstrip("/") or " " in value:
        raise ImproperlyConfigured(f"{name} must be a bare domain like 'tenant.auth0.com', got {value!r}")
    return value.rstrip("/")


def env_origins(name: str, default: list[str]) -> list[str]:
    """Comma-separated origins (`scheme://host[:port]`, lower case, no path) or `*`; "" means none."""
    origins = []
    for item in env_list(name, default):
        if item == "*":
            origins.append(item)
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an origin like https://app.example.com (or *)")
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    return origins
