"""Hostile input at the embedded issuer gets an RFC 6749 error, never a 5xx (issue 9, item 6, issuer side)."""

from __future__ import annotations

import pytest
import requests

from tests.idp.conftest import Tenant, tenant_at
from tests.idp.oauth_client import query_of


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    return tenant_at(live_server, settings)


def post_json_text(tenant: Tenant, path: str, body: str) -> requests.Response:
    return requests.post(f"{tenant.base}{path}", data=body.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke"])
@pytest.mark.parametrize("depth", [100, 50_000])
def test_deeply_nested_json_is_an_invalid_request(tenant: Tenant, path: str, depth: int) -> None:
    response = post_json_text(tenant, path, '{"grant_type": ' + "[" * depth + "]" * depth + "}")
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("parameter", ["client_id", "client_secret", "grant_type", "audience", "code"])
def test_a_lone_surrogate_is_an_invalid_request(tenant: Tenant, parameter: str) -> None:
    body = {
        "grant_type": '"client_credentials"',
        "client_id": f'"{tenant.batch_client_id}"',
        "client_secret": f'"{tenant.batch_client_secret}"',
        "audience": f'"{tenant.audience}"',
    }
    body[parameter] = '"\\ud800"'
    text = "{" + ", ".join(f'"{key}": {value}' for key, value in body.items()) + "}"
    response = post_json_text(tenant, "/oauth/token", text)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == "invalid_request"


def test_a_lone_surrogate_in_a_form_body_is_no_server_error(tenant: Tenant) -> None:
    response = requests.post(
        f"{tenant.base}/oauth/token",
        data="grant_type=client_credentials&client_id=%ED%A0%80&client_secret=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 401), response.text[:300]
    assert response.json()["error"] in ("invalid_request", "invalid_client")


def test_an_unknown_scope_for_a_signed_in_user_is_refused_by_redirect(tenant: Tenant) -> None:
    flow = tenant.authorization()
    flow.code_for("alice", tenant.passwords["alice"])
    for scope in ("openid delete:everything", "openid read:timesheets \u0000", "openid \ufffd"):
        flow.scope = scope
        response = flow.open()
        assert response.status_code in (302, 400), (scope, response.status_code, response.text[:300])
        if response.status_code == 302:
            callback = query_of(response.headers["Location"])
            assert response.headers["Location"].startswith(tenant.pwa_redirect_uri + "?")
            assert callback["error"] == "invalid_scope", callback
            assert callback["state"] == flow.state


@pytest.mark.parametrize("grant_type", ["urn:ietf:params:oauth:grant-type:device_code", "password", "implicit"])
def test_grants_the_issuer_does_not_offer_are_unsupported(tenant: Tenant, grant_type: str) -> None:
    response = requests.post(
        f"{tenant.base}/oauth/token",
        data={
            "grant_type": grant_type,
            "client_id": tenant.pwa_client_id,
            "device_code": "x",
            "username": "alice",
            "password": tenant.passwords["alice"],
        },
    )
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == "unsupported_grant_type"
