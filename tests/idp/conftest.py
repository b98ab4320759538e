from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.idp.oauth_client import AuthorizationRequest
from tests.support.tenant import demo_tenant_json, serve_embedded_issuer_at


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


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    """The embedded issuer at the live server's URL (as `make run` would set it up there)."""
    return tenant_at(live_server, settings)


def tenant_at(live_server, settings) -> Tenant:
    """The demo tenant served by the embedded issuer at `live_server` (for fixtures in other test packages)."""
    serve_embedded_issuer_at(settings, live_server.url)
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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright drives Debian's Chromium (nothing is downloaded)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"],
    }
