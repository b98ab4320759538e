"""The embedded issuer at a live test server's URL, with the demo tenant as `make run` creates it."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.management import call_command

from authn.issuer import reset_caches


def serve_embedded_issuer_at(settings: Any, base_url: str) -> None:
    """Make `base_url` the app's origin and its own issuer (PUBLIC_URL and TOKEN_ISSUER)."""
    settings.PUBLIC_URL = base_url
    settings.TOKEN_ISSUER = base_url + "/"
    reset_caches()


def demo_tenant_json() -> dict[str, Any]:
    """Run `demo_tenant --json`: the tenant's ids and freshly generated credentials."""
    out = io.StringIO()
    call_command("demo_tenant", "--json", stdout=out)
    return json.loads(out.getvalue())
