"""No credential in a URL is accepted, and no log line holds one (issue 9, item 5)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from config.access_log import redact_query, redact_url
from tests.idp.conftest import Tenant, tenant_at
from tests.idp.oauth_client import AuthorizationRequest, bearer, refresh
from tests.idp.servers import AppServer


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    return tenant_at(live_server, settings)


def signed_in_tokens(tenant: Tenant) -> dict:
    flow = tenant.authorization()
    return flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()


def test_userinfo_refuses_an_access_token_in_the_query_string(tenant: Tenant) -> None:
    tokens = signed_in_tokens(tenant)
    assert requests.get(f"{tenant.base}/userinfo", headers=bearer(tokens["access_token"])).status_code == 200
    for method in ("get", "post"):
        response = requests.request(method, f"{tenant.base}/userinfo", params={"access_token": tokens["access_token"]})
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "invalid_request"
        assert "must not be sent in the URL" in response.json()["error_description"]


@pytest.mark.parametrize("name", ["token", "refresh_token", "client_secret", "code", "code_verifier"])
def test_token_and_revoke_endpoints_refuse_credentials_in_the_query_string(tenant: Tenant, name: str) -> None:
    for path in ("/oauth/token", "/oauth/revoke"):
        response = requests.post(
            f"{tenant.base}{path}?{name}=secret-value",
            data={"client_id": tenant.pwa_client_id, "grant_type": "authorization_code"},
        )
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"] == "invalid_request"
        assert name in response.json()["error_description"]


def test_a_revocation_with_the_token_in_the_url_revokes_nothing_and_says_so(tenant: Tenant) -> None:
    tokens = signed_in_tokens(tenant)
    response = requests.post(
        f"{tenant.base}/oauth/revoke?token={tokens['refresh_token']}", data={"client_id": tenant.pwa_client_id}
    )
    assert response.status_code == 400
    assert refresh(tenant.base, tenant.pwa_client_id, tokens["refresh_token"]).status_code == 200


def test_redaction_keeps_everything_but_credential_values() -> None:
    assert redact_query("client_id=a&code=XYZ&state=s&id_token_hint=e.y.j") == (
        "client_id=a&code=[redacted]&state=s&id_token_hint=[redacted]"
    )
    assert redact_url("/cb?%63ode=XYZ&Access_Token=T") == "/cb?%63ode=[redacted]&Access_Token=[redacted]"
    assert redact_url("/authorize?scope=openid") == "/authorize?scope=openid"
    assert redact_url("/plain") == "/plain"


# --- the logs of a real server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def logged_server(tmp_path_factory) -> Iterator[tuple[AppServer, dict]]:
    """gunicorn as `make run` starts it (gunicorn.conf.py), logging at DEBUG to one file."""
    server = AppServer(tmp_path_factory.mktemp("logged"), LOG_LEVEL="DEBUG")
    try:
        server.manage("migrate", "--noinput", "-v", "0")
        server.manage("collectstatic", "--noinput", "-v", "0")
        tenant = server.demo_tenant()
        server.start()
        yield server, tenant
    finally:
        server.stop()


def test_no_log_line_holds_a_credential(logged_server: tuple[AppServer, dict]) -> None:
    server, data = logged_server
    password = next(user["password"] for user in data["users"] if user["username"] == "alice")
    flow = AuthorizationRequest(
        base=server.url,
        client_id=data["pwa_client_id"],
        redirect_uri=data["pwa_redirect_uri"],
        audience=data["audience"],
    )
    wrong = flow.sign_in("alice", "wrong-password-Zq9")  # a failed sign-in is logged as a 4xx
    assert wrong.status_code == 400
    callback = flow.code_for("alice", password)
    # The browser lands on the client's redirect URI with the code (here the app's own origin).
    requests.get(f"{data['pwa_redirect_uri']}?code={callback['code']}&state={callback['state']}")
    tokens = flow.exchange(callback["code"]).json()
    assert flow.exchange("not-a-code").status_code == 400  # a 4xx Django logs (path only)
    refreshed = refresh(server.url, data["pwa_client_id"], tokens["refresh_token"]).json()
    requests.get(f"{server.url}/userinfo", headers=bearer(refreshed["access_token"]))
    refused = requests.get(f"{server.url}/userinfo", params={"access_token": refreshed["access_token"]})
    assert refused.status_code == 400
    basic = base64.b64encode(f"{data['batch_client_id']}:{data['batch_client_secret']}".encode()).decode()
    machine = requests.post(
        f"{server.url}/oauth/token",
        data={"grant_type": "client_credentials", "audience": data["audience"]},
        headers={"Authorization": f"Basic {basic}"},
    ).json()
    requests.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": data["batch_client_id"],
            "client_secret": data["batch_client_secret"] + "x",
            "audience": data["audience"],
        },
    )
    requests.post(
        f"{server.url}/oauth/revoke",
        data={"client_id": data["pwa_client_id"], "token": refreshed["refresh_token"]},
    )
    requests.get(
        f"{server.url}/oidc/logout",
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": f"{server.url}/"},
    )
    server.stop()  # flush and close the log

    log = Path(server.log).read_text()
    assert "/oauth/token" in log and "/userinfo" in log  # the requests were logged…
    assert "code=[redacted]" in log and "id_token_hint=[redacted]" in log  # …with their credentials redacted
    secrets = {
        "password": password,
        "wrong password": "wrong-password-Zq9",
        "authorization code": callback["code"],
        "code verifier": flow.verifier,
        "access token": tokens["access_token"],
        "refreshed access token": refreshed["access_token"],
        "refresh token": tokens["refresh_token"],
        "rotated refresh token": refreshed["refresh_token"],
        "ID token": tokens["id_token"],
        "client secret": data["batch_client_secret"],
        "machine token": machine["access_token"],
    }
    leaked = [name for name, value in secrets.items() if value in log]
    assert leaked == [], leaked
