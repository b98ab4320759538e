"""Authorization Code + PKCE against the embedded issuer, over HTTP, with the real API behind it."""

from __future__ import annotations

from datetime import timedelta

import jwt
import requests
from django.utils import timezone
from oauth2_provider.models import Grant

from tests.idp.conftest import Tenant
from tests.idp.oauth_client import APPROVE, CREATE, READ, bearer, query_of, refresh


def claims_of(token: str) -> dict:
    """The claims, for assertions; signatures are verified by the API calls and by joserfc elsewhere."""
    return jwt.decode(token, options={"verify_signature": False})


def test_full_flow_login_code_token_api_refresh_api(tenant: Tenant) -> None:
    flow = tenant.authorization()
    page = flow.open()
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert "csrfmiddlewaretoken" in page.text

    callback = flow.code_for("alice", tenant.passwords["alice"])
    assert callback["state"] == flow.state
    response = flow.exchange(callback["code"])
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 600
    assert {"access_token", "id_token", "refresh_token", "scope"} <= tokens.keys()

    entries = requests.get(f"{tenant.base}/api/timesheets", headers=bearer(tokens["access_token"]))
    assert entries.status_code == 200, entries.text
    assert entries.json()["results"] == []
    created = requests.post(
        f"{tenant.base}/api/timesheets",
        headers=bearer(tokens["access_token"]),
        json={"date": "2025-01-06", "project": "StoreZero", "hours": 2},
    )
    assert created.status_code == 201, created.text

    renewed = refresh(tenant.base, tenant.pwa_client_id, tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    new_tokens = renewed.json()
    assert new_tokens["refresh_token"] != tokens["refresh_token"]
    assert new_tokens["access_token"] != tokens["access_token"]
    entries = requests.get(f"{tenant.base}/api/timesheets", headers=bearer(new_tokens["access_token"]))
    assert entries.status_code == 200
    assert [entry["project_name"] for entry in entries.json()["results"]] == ["StoreZero"]


def test_access_and_id_token_claims(tenant: Tenant, django_user_model) -> None:
    flow = tenant.authorization()
    tokens = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    alice = django_user_model.objects.get(username="alice")

    access = claims_of(tokens["access_token"])
    assert access["iss"] == tenant.issuer == tenant.base + "/"
    assert access["aud"] == [tenant.audience, f"{tenant.issuer}userinfo"]
    assert access["sub"] == alice.sub
    assert access["azp"] == tenant.pwa_client_id
    assert access["scope"].split() == ["openid", "profile", "email", "offline_access", READ, CREATE]
    assert access["permissions"] == [READ, CREATE]
    assert access["https://api.exampleco.com/email"] == "alice@exampleco.com"
    assert access["exp"] - access["iat"] == 600
    assert "gty" not in access and access["jti"]
    assert jwt.get_unverified_header(tokens["access_token"])["kid"]

    id_token = claims_of(tokens["id_token"])
    assert id_token["aud"] == tenant.pwa_client_id
    assert id_token["iss"] == tenant.issuer
    assert id_token["sub"] == alice.sub
    assert id_token["nonce"] == flow.nonce
    assert id_token["name"] == "Alice Employee"
    assert id_token["nickname"] == "alice"
    assert id_token["email"] == "alice@exampleco.com"
    assert id_token["email_verified"] is True
    assert id_token["picture"].startswith("data:image/svg+xml,")
    assert id_token["updated_at"].endswith("Z")

    userinfo = requests.get(f"{tenant.base}/userinfo", headers=bearer(tokens["access_token"]))
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.json()["sub"] == alice.sub
    assert userinfo.json()["email"] == "alice@exampleco.com"


def test_scope_beyond_the_users_roles_is_dropped(tenant: Tenant) -> None:
    flow = tenant.authorization(scope=f"openid {READ} {APPROVE} batch:upload")
    tokens = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    assert tokens["scope"].split() == ["openid", READ]
    assert claims_of(tokens["access_token"])["permissions"] == [READ]
    approvals = requests.get(f"{tenant.base}/api/approvals", headers=bearer(tokens["access_token"]))
    assert approvals.status_code == 403

    manager = tenant.authorization(scope=f"openid {READ} {APPROVE}")
    tokens = manager.exchange(manager.code_for("carol", tenant.passwords["carol"])["code"]).json()
    assert tokens["scope"].split() == ["openid", READ, APPROVE]
    assert requests.get(f"{tenant.base}/api/approvals", headers=bearer(tokens["access_token"])).status_code == 200


def test_refresh_token_only_with_offline_access(tenant: Tenant) -> None:
    flow = tenant.authorization(scope=f"openid {READ}")
    tokens = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    assert "refresh_token" not in tokens
    assert "access_token" in tokens and "id_token" in tokens


def test_without_openid_there_is_no_id_token_and_aud_is_the_api(tenant: Tenant) -> None:
    flow = tenant.authorization(scope=READ)
    tokens = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    assert "id_token" not in tokens
    assert claims_of(tokens["access_token"])["aud"] == tenant.audience


def test_missing_code_challenge_is_refused(tenant: Tenant) -> None:
    flow = tenant.authorization(pkce=False)
    response = flow.open()
    # Refused before anyone signs in: the error goes back to the registered redirect URI.
    assert response.status_code == 302
    error = query_of(response.headers["Location"])
    assert response.headers["Location"].startswith(tenant.pwa_redirect_uri)
    assert error["error"] == "invalid_request"
    assert error["state"] == flow.state
    assert "challenge" in error["error_description"].lower()


def test_plain_code_challenge_method_is_refused(tenant: Tenant) -> None:
    flow = tenant.authorization(extra={"code_challenge_method": "plain"})
    flow.challenge = flow.verifier
    flow.extra["code_challenge"] = flow.verifier
    response = flow.open()
    if response.status_code == 200:  # the method may be checked only once the user is known
        response = flow.sign_in("alice", tenant.passwords["alice"], page=response)
        response = flow.session.get(tenant.base + response.headers["Location"], allow_redirects=False)
    assert response.status_code == 302
    error = query_of(response.headers["Location"])
    assert error["error"] == "invalid_request"
    assert "code" not in error


def test_wrong_verifier_is_refused(tenant: Tenant) -> None:
    flow = tenant.authorization()
    code = flow.code_for("alice", tenant.passwords["alice"])["code"]
    response = flow.exchange(code, code_verifier="x" * 64)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_code_used_twice_is_refused_and_its_tokens_revoked(tenant: Tenant) -> None:
    flow = tenant.authorization()
    code = flow.code_for("alice", tenant.passwords["alice"])["code"]
    first = flow.exchange(code)
    assert first.status_code == 200
    tokens = first.json()
    assert requests.get(f"{tenant.base}/userinfo", headers=bearer(tokens["access_token"])).status_code == 200

    second = flow.exchange(code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    # What the first exchange obtained is revoked: its refresh token and its server-side access token.
    assert refresh(tenant.base, tenant.pwa_client_id, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert requests.get(f"{tenant.base}/userinfo", headers=bearer(tokens["access_token"])).status_code == 401


def test_expired_code_is_refused(tenant: Tenant) -> None:
    flow = tenant.authorization()
    code = flow.code_for("alice", tenant.passwords["alice"])["code"]
    Grant.objects.filter(code=code).update(expires=timezone.now() - timedelta(seconds=1))
    response = flow.exchange(code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_unregistered_redirect_uri_is_refused_without_redirecting(tenant: Tenant) -> None:
    flow = tenant.authorization()
    flow.redirect_uri = "https://evil.example/callback"
    response = flow.open()
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.json()["error"] == "invalid_request"


def test_redirect_uri_differing_from_the_authorize_request_is_refused(tenant: Tenant, settings) -> None:
    from oauth2_provider.models import Application

    app = Application.objects.get(client_id=tenant.pwa_client_id)
    other = f"{tenant.base}/other-callback"
    app.redirect_uris = f"{tenant.pwa_redirect_uri} {other}"
    app.save()
    flow = tenant.authorization()
    code = flow.code_for("alice", tenant.passwords["alice"])["code"]
    response = flow.exchange(code, redirect_uri=other)
    assert response.status_code == 400
    # oauthlib's code for it (RFC 6749 names invalid_grant; both are 400s refusing the exchange).
    assert response.json()["error"] == "invalid_request"
    assert "redirect" in response.json()["error_description"].lower()
    assert flow.exchange(code).status_code == 200


def test_unknown_client_is_refused(tenant: Tenant) -> None:
    flow = tenant.authorization()
    flow.client_id = "no-such-client"
    response = flow.open()
    assert response.status_code in (400, 401)
    assert "Location" not in response.headers
    assert response.json()["error"] in ("invalid_client_id", "invalid_client", "invalid_request")

    token = requests.post(
        f"{tenant.base}/oauth/token",
        data={"grant_type": "authorization_code", "client_id": "no-such-client", "code": "x", "code_verifier": "y"},
    )
    assert token.status_code == 401
    assert token.json()["error"] == "invalid_client"


def test_unknown_audience_is_refused_with_a_redirect(tenant: Tenant) -> None:
    flow = tenant.authorization(audience="https://api.example.org/unknown")
    response = flow.open()
    assert response.status_code == 302
    error = query_of(response.headers["Location"])
    assert error["error"] == "access_denied"
    assert error["state"] == flow.state
