from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from tests.idp.oauth_client import AuthorizationRequest


@dataclass
class Tenant:
    """The demo tenant created for a live server, and its credentials."""

    base: str
    issuer: str
    audience: str
    pwa_client_id: str
    pwa_redirect_uri: str
    batch_client_id: str
    batch_client_secret: str
    passwords: dict[str, str]

    def authorization(self, **kwargs) -> AuthorizationRequest:
        kwargs.setdefault("audience", self.audience)
        return AuthorizationRequest(
            base=self.base, client_id=self.pwa_client_id, redirect_uri=self.pwa_redirect_uri, **kwargs
        )


def demo_tenant_json() -> dict:
    out = io.StringIO()
    call_command("demo_tenant", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    """The embedded issuer at the live server's URL (as `make run` would set it up there)."""
    settings.PUBLIC_URL = live_server.url
    settings.TOKEN_ISSUER = live_server.url + "/"
    data = demo_tenant_json()
    return Tenant(
        base=live_server.url,
        issuer=data["issuer"],
        audience=data["audience"],
        pwa_client_id=data["pwa_client_id"],
        pwa_redirect_uri=data["pwa_redirect_uri"],
        batch_client_id=data["batch_client_id"],
        batch_client_secret=data["batch_client_secret"],
        passwords={user["username"]: user["password"] for user in data["users"]},
    )
