"""Client Credentials at /oauth/token: form and JSON bodies, client grants, and the API accepting the token."""

from __future__ import annotations

import jwt
import requests

from tests.idp.conftest import Tenant
from tests.idp.oauth_client import bearer


def token_request(tenant: Tenant, *, json_body: bool = True, **overrides) -> requests.Response:
    body = {
        "grant_type": "client_credentials",
        "client_id": tenant.batch_client_id,
        "client_secret": tenant.batch_client_secret,
        "audience": tenant.audience,
        **overrides,
    }
    body = {key: value for key, value in body.items() if value is not None}
    if json_body:
        return requests.post(f"{tenant.base}/oauth/token", json=body)
    return requests.post(f"{tenant.base}/oauth/token", data=body)


def test_json_body_token_is_accepted_by_the_api(tenant: Tenant, django_user_model) -> None:
    response = token_request(tenant, json_body=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "batch:upload read:timesheets"
    assert "refresh_token" not in body and "id_token" not in body

    # Reading the claims; the API call below verifies the signature (and joserfc does in test_refresh_and_keys).
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == f"{tenant.batch_client_id}@clients"
    assert claims["gty"] == "client-credentials"
    assert claims["azp"] == tenant.batch_client_id
    assert claims["aud"] == tenant.audience
    assert claims["iss"] == tenant.issuer
    assert claims["permissions"] == ["batch:upload", "read:timesheets"]
    assert claims["exp"] - claims["iat"] == body["expires_in"]

    upload = requests.post(
        f"{tenant.base}/api/timesheets/upload",
        headers=bearer(body["access_token"]),
        json={"user_id": "alice@exampleco.com", "date": "2025-01-06", "project": "StoreZero", "hours": 7.5},
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["entries"][0]["owner"]["email"] == "alice@exampleco.com"
    # The README's last curl step: the client lists what it uploaded.
    listed = requests.get(f"{tenant.base}/api/timesheets", headers=bearer(body["access_token"]))
    assert listed.status_code == 200, listed.text
    assert [e["id"] for e in listed.json()["results"]] == [upload.json()["entries"][0]["id"]]


def test_form_body_and_basic_authentication_work(tenant: Tenant) -> None:
    form = token_request(tenant, json_body=False)
    assert form.status_code == 200, form.text
    basic = requests.post(
        f"{tenant.base}/oauth/token",
        data={"grant_type": "client_credentials", "audience": tenant.audience},
        auth=(tenant.batch_client_id, tenant.batch_client_secret),
    )
    assert basic.status_code == 200, basic.text
    assert form.json()["access_token"] != basic.json()["access_token"]


def test_wrong_secret_is_refused(tenant: Tenant) -> None:
    for json_body in (True, False):
        response = token_request(tenant, json_body=json_body, client_secret="not-the-secret")
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"


def test_unknown_or_missing_audience_is_refused(tenant: Tenant) -> None:
    unknown = token_request(tenant, audience="https://api.example.org/other")
    assert unknown.status_code == 403
    assert unknown.json() == {
        "error": "access_denied",
        "error_description": "Service not found: https://api.example.org/other",
    }
    missing = token_request(tenant, audience=None)
    assert missing.status_code == 403
    assert missing.json()["error"] == "access_denied"
    assert "audience" in missing.json()["error_description"]


def test_scope_beyond_the_client_grant_is_refused(tenant: Tenant) -> None:
    response = token_request(tenant, scope="batch:upload approve:timesheets")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    within = token_request(tenant, scope="batch:upload")
    assert within.status_code == 200
    assert within.json()["scope"] == "batch:upload"


def test_public_client_cannot_use_client_credentials(tenant: Tenant) -> None:
    response = token_request(tenant, client_id=tenant.pwa_client_id, client_secret=None)
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("invalid_client", "unauthorized_client")


def test_bad_bodies_get_oauth_errors(tenant: Tenant) -> None:
    not_json = requests.post(
        f"{tenant.base}/oauth/token", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    assert not_json.json()["error"] == "invalid_request"
    a_list = requests.post(f"{tenant.base}/oauth/token", json=["grant_type"])
    assert a_list.status_code == 400
    assert a_list.json()["error"] == "invalid_request"
    nested = token_request(tenant, scope=["batch:upload"])
    assert nested.status_code == 400
    assert "scope" in nested.json()["error_description"]
    plain_text = requests.post(f"{tenant.base}/oauth/token", data="x", headers={"Content-Type": "text/plain"})
    assert plain_text.status_code == 400
    assert plain_text.json()["error"] == "invalid_request"
    unknown_grant = token_request(tenant, grant_type="urn:example:no-such-grant")
    assert unknown_grant.status_code == 400
    assert unknown_grant.json()["error"] == "unsupported_grant_type"


def test_password_grant_is_not_available(tenant: Tenant) -> None:
    response = token_request(tenant, grant_type="password", username="alice", password=tenant.passwords["alice"])
    assert response.status_code in (400, 401)
    assert "access_token" not in response.json()


def test_audience_in_the_query_string_is_accepted_as_swagger_ui_sends_it(tenant: Tenant) -> None:
    response = requests.post(
        f"{tenant.base}/oauth/token",
        params={"audience": tenant.audience},
        data={
            "grant_type": "client_credentials",
            "client_id": tenant.batch_client_id,
            "client_secret": tenant.batch_client_secret,
        },
    )
    assert response.status_code == 200, response.text
    secret_in_query = requests.post(
        f"{tenant.base}/oauth/token",
        params={"client_secret": tenant.batch_client_secret},
        data={"grant_type": "client_credentials", "client_id": tenant.batch_client_id, "audience": tenant.audience},
    )
    # Secrets are read from the body (or Basic auth) only; one in the URL is refused, not ignored.
    assert secret_in_query.status_code == 400
    assert secret_in_query.json()["error"] == "invalid_request"
