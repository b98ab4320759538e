"""CORS: the API for API_CORS_ALLOWED_ORIGINS, the issuer for the applications' Allowed Web Origins."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from idp.models import ApplicationProfile
from tests.support.tenant import demo_tenant_json, serve_embedded_issuer_at

SPA_ORIGIN = "http://localhost:3000"
STRANGER = "https://evil.example"


@pytest.fixture
def tenant(db, settings) -> dict[str, Any]:
    serve_embedded_issuer_at(settings, "http://127.0.0.1:8000")
    data = demo_tenant_json()
    profile = ApplicationProfile.objects.get(application__client_id=data["pwa_client_id"])
    profile.allowed_web_origins = f"http://127.0.0.1:8000 {SPA_ORIGIN}"
    profile.save()
    return data


def preflight(path: str, origin: str, method: str = "GET", headers: str = "authorization") -> Any:
    return Client().options(
        path,
        headers={"origin": origin, "access-control-request-method": method, "access-control-request-headers": headers},
    )


@pytest.mark.parametrize("path", ["/api/timesheets", "/api/approvals/7", "/timesheets", "/timesheets/upload"])
def test_api_preflight_is_answered_without_a_token(db, path: str) -> None:
    response = preflight(path, "https://spa.example", "POST", "authorization,content-type")
    assert response.status_code == 200
    assert response["access-control-allow-origin"] == "https://spa.example"
    allowed = {h.strip() for h in response["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "access-control-allow-credentials" not in response
    assert "origin" in response["vary"].lower()


def test_api_answers_other_origins_and_exposes_the_headers_clients_read(db) -> None:
    response = Client().get("/api/timesheets", headers={"origin": "https://spa.example"})
    assert response.status_code == 401  # no token: refused, but readable by the page
    assert response["access-control-allow-origin"] == "https://spa.example"
    exposed = {h.strip().lower() for h in response["access-control-expose-headers"].split(",")}
    assert {"etag", "retry-after", "www-authenticate"} <= exposed
    assert "access-control-allow-credentials" not in response


def test_api_origin_list_allows_only_its_origins(db, settings) -> None:
    settings.API_CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    assert preflight("/api/timesheets", "https://app.example.com")["access-control-allow-origin"] == (
        "https://app.example.com"
    )
    refused = preflight("/api/timesheets", STRANGER)
    assert "access-control-allow-origin" not in refused
    settings.API_CORS_ALLOWED_ORIGINS = []
    assert "access-control-allow-origin" not in preflight("/api/timesheets", "https://app.example.com")


@pytest.mark.parametrize("path,method", [("/oauth/token", "POST"), ("/oauth/revoke", "POST"), ("/userinfo", "GET")])
def test_issuer_endpoints_answer_allowed_web_origins_only(tenant, path: str, method: str) -> None:
    allowed = preflight(path, SPA_ORIGIN, method, "auth0-client,content-type")
    assert allowed.status_code == 200
    assert allowed["access-control-allow-origin"] == SPA_ORIGIN
    assert "auth0-client" in allowed["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in allowed
    refused = preflight(path, STRANGER, method, "auth0-client,content-type")
    assert "access-control-allow-origin" not in refused
    # Another port of an allowed host is another origin.
    assert "access-control-allow-origin" not in preflight(path, "http://localhost:3001", method)


def test_token_response_carries_the_allowed_origin(tenant) -> None:
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": tenant["batch_client_id"],
            "client_secret": tenant["batch_client_secret"],
            "audience": tenant["audience"],
        },
        headers={"origin": SPA_ORIGIN},
    )
    assert response.status_code == 200, response.content
    assert response["access-control-allow-origin"] == SPA_ORIGIN


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/.well-known/jwks.json"])
def test_public_metadata_is_open_to_every_origin(tenant, path: str) -> None:
    response = Client().get(path, headers={"origin": STRANGER})
    assert response.status_code == 200
    assert response["access-control-allow-origin"] == STRANGER
    assert "access-control-allow-credentials" not in response


def test_pages_outside_the_api_and_the_issuer_endpoints_get_no_cors(tenant) -> None:
    for path in ["/authorize", "/admin/login/", "/pwa/config.json"]:
        response = Client().get(path, headers={"origin": SPA_ORIGIN})
        assert "access-control-allow-origin" not in response, path
