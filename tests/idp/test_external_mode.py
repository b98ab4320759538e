"""External mode: an API trusting another server's issuer (as it would Auth0), over real HTTP.

Two real servers, each a subprocess with its own environment and SQLite file:
the identity provider (this app with the embedded issuer) and the API (this app
with OIDC_ISSUER pointing at the first). The API finds the JWKS through the
issuer's discovery document and serves no identity routes of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest
import requests

from tests.idp.oauth_client import AuthorizationRequest, bearer
from tests.idp.servers import AppServer
from tests.support.issuer import SigningKey, TokenFactory

pytestmark = pytest.mark.live  # two gunicorn subprocesses


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[tuple[AppServer, dict, AppServer]]:
    idp = AppServer(tmp_path_factory.mktemp("idp"))
    api = None
    try:
        idp.manage("migrate", "--noinput", "-v", "0")
        idp.manage("collectstatic", "--noinput", "-v", "0")  # the sign-in page links its stylesheet
        tenant = idp.demo_tenant()
        idp.start()
        api = AppServer(tmp_path_factory.mktemp("api"), OIDC_ISSUER=idp.url + "/")
        api.manage("migrate", "--noinput", "-v", "0")
        api.tenant_output = api.manage("demo_tenant")
        api.start()
        yield idp, tenant, api
    finally:
        idp.stop()
        if api is not None:
            api.stop()


def machine_token(idp: AppServer, tenant: dict) -> str:
    response = requests.post(
        f"{idp.url}/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": tenant["batch_client_id"],
            "client_secret": tenant["batch_client_secret"],
            "audience": tenant["audience"],
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_the_api_serves_no_identity_routes(servers) -> None:
    idp, _tenant, api = servers
    assert "external provider" in api.tenant_output
    for path in ("/authorize", "/.well-known/jwks.json", "/.well-known/openid-configuration", "/userinfo"):
        assert requests.get(api.url + path, allow_redirects=False).status_code == 404, path
        assert requests.get(idp.url + path, allow_redirects=False).status_code != 404, path
    assert requests.post(api.url + "/oauth/token", data={"grant_type": "client_credentials"}).status_code == 404


def test_user_and_machine_tokens_from_the_external_issuer_work_at_the_api(servers) -> None:
    idp, tenant, api = servers
    alice = next(user for user in tenant["users"] if user["username"] == "alice")
    flow = AuthorizationRequest(
        base=idp.url,
        client_id=tenant["pwa_client_id"],
        redirect_uri=tenant["pwa_redirect_uri"],
        audience=tenant["audience"],
    )
    tokens = flow.exchange(flow.code_for("alice", alice["password"])["code"]).json()
    # Reading the claims; the API server in the other process verifies the signature over JWKS.
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["iss"] == idp.url + "/"

    # First sight of alice at the API: her account there is created from the token's claims.
    me = requests.get(f"{api.url}/api/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["sub"] == claims["sub"]
    assert me.json()["email"] == "alice@exampleco.com"

    upload = requests.post(
        f"{api.url}/api/timesheets/upload",
        headers=bearer(machine_token(idp, tenant)),
        json={"user_id": "alice@exampleco.com", "date": "2025-01-07", "project": "StoreZero", "hours": 3},
    )
    assert upload.status_code == 201, upload.text
    listed = requests.get(f"{api.url}/api/timesheets", headers=bearer(tokens["access_token"]))
    assert listed.status_code == 200
    assert [entry["date"] for entry in listed.json()["results"]] == ["2025-01-07"]


def test_the_api_trusts_only_that_issuer(servers) -> None:
    idp, tenant, api = servers
    stranger = SigningKey.generate("stranger")
    forged = TokenFactory(
        issuer=idp.url + "/", audience=tenant["audience"], key=stranger, email_claim="https://api.exampleco.com/email"
    )(sub="auth0|mallory", scopes=["read:timesheets"])
    assert requests.get(f"{api.url}/api/timesheets", headers=bearer(forged)).status_code == 401

    other_issuer = TokenFactory(
        issuer=api.url + "/", audience=tenant["audience"], key=stranger, email_claim="https://api.exampleco.com/email"
    )(sub="auth0|mallory", scopes=["read:timesheets"])
    assert requests.get(f"{api.url}/api/timesheets", headers=bearer(other_issuer)).status_code == 401
