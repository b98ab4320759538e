"""Allowed Web Origins of an application, as Auth0 keeps them.

An origin is `scheme://host[:port]` with nothing after it. `https` is required
except for loopback hosts (localhost, 127.0.0.0/8, ::1), where development
servers run on plain `http`. The origins govern which browser pages may call
the issuer's token, revocation and userinfo endpoints (CORS, idp/cors.py) and
where a `response_mode=web_message` answer may be posted (idp/response_modes.py).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

DEFAULT_PORTS = {"http": 80, "https": 443}
_SEPARATORS = re.compile(r"[\s,]+")


def is_loopback_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_origin(value: str) -> str | None:
    """`scheme://host[:port]` in canonical form (lower case, default port dropped), or None if not an origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.strip().endswith(("?", "#")):
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def origin_of(url: str) -> str | None:
    """The origin a URL belongs to (its scheme, host and port), canonical; None if it has none."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return normalise_origin(f"{parts.scheme}://{parts.netloc}") if parts.netloc else None


def split_origins(text: str) -> list[str]:
    return [item for item in _SEPARATORS.split(text or "") if item]


def validate_web_origins(text: str) -> None:
    """Refuse anything that is not an origin, and plain http anywhere but on a loopback host."""
    problems = []
    for item in split_origins(text):
        origin = normalise_origin(item)
        if origin is None:
            problems.append(f"{item} is not an origin (scheme://host[:port], no path).")
        elif origin.startswith("http://") and not is_loopback_host(urlsplit(origin).hostname or ""):
            problems.append(f"{item}: plain http is allowed for loopback origins only (localhost, 127.0.0.1).")
    if problems:
        raise ValidationError(problems)


def canonical_origins(text: str) -> list[str]:
    """The stored origins in canonical form; items that are not origins are skipped."""
    return [origin for origin in (normalise_origin(item) for item in split_origins(text)) if origin]
