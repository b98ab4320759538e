"""Refresh-token rotation with reuse detection, signing-key rotation, and verification with joserfc."""

from __future__ import annotations

import io
from datetime import timedelta

import jwt
import requests
from django.core.management import call_command
from django.utils import timezone
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from idp.models import SigningKey
from tests.idp.conftest import Tenant
from tests.idp.oauth_client import bearer, refresh


def sign_in(tenant: Tenant, username: str = "alice") -> dict:
    flow = tenant.authorization()
    response = flow.exchange(flow.code_for(username, tenant.passwords[username])["code"])
    assert response.status_code == 200, response.text
    return response.json()


def machine_token(tenant: Tenant) -> str:
    response = requests.post(
        f"{tenant.base}/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": tenant.batch_client_id,
            "client_secret": tenant.batch_client_secret,
            "audience": tenant.audience,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def published_kids(tenant: Tenant) -> list[str]:
    return [key["kid"] for key in requests.get(f"{tenant.base}/.well-known/jwks.json").json()["keys"]]


def test_reusing_a_refresh_token_revokes_the_whole_family(tenant: Tenant) -> None:
    first = sign_in(tenant)
    second = refresh(tenant.base, tenant.pwa_client_id, first["refresh_token"]).json()
    third = refresh(tenant.base, tenant.pwa_client_id, second["refresh_token"])
    assert third.status_code == 200
    latest = third.json()

    reuse = refresh(tenant.base, tenant.pwa_client_id, first["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    # The thief's replay cost the legitimate holder the family too: the newest token is dead.
    after = refresh(tenant.base, tenant.pwa_client_id, latest["refresh_token"])
    assert after.status_code == 400
    assert after.json()["error"] == "invalid_grant"
    assert requests.get(f"{tenant.base}/userinfo", headers=bearer(latest["access_token"])).status_code == 401


def test_another_client_cannot_use_a_refresh_token(tenant: Tenant) -> None:
    tokens = sign_in(tenant)
    response = refresh(tenant.base, "swagger-ui", tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_refresh_drops_scopes_whose_role_was_taken_away(tenant: Tenant, django_user_model) -> None:
    tokens = sign_in(tenant)
    assert "create:timesheets" in tokens["scope"].split()
    alice = django_user_model.objects.get(username="alice")
    alice.idp_roles.clear()
    renewed = refresh(tenant.base, tenant.pwa_client_id, tokens["refresh_token"]).json()
    assert renewed["scope"].split() == ["openid", "profile", "email", "offline_access"]


def test_disabled_account_cannot_refresh(tenant: Tenant, django_user_model) -> None:
    tokens = sign_in(tenant)
    django_user_model.objects.filter(username="alice").update(is_active=False)
    response = refresh(tenant.base, tenant.pwa_client_id, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_tokens_verify_with_an_independent_jose_library(tenant: Tenant) -> None:
    tokens = sign_in(tenant)
    keys = KeySet.import_key_set(requests.get(f"{tenant.base}/.well-known/jwks.json").json())
    discovery = requests.get(f"{tenant.base}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == tenant.issuer
    assert discovery["jwks_uri"] == f"{tenant.base}/.well-known/jwks.json"

    for token, audience in [
        (tokens["access_token"], tenant.audience),
        (tokens["id_token"], tenant.pwa_client_id),
        (machine_token(tenant), tenant.audience),
    ]:
        decoded = jose_jwt.decode(token, keys, algorithms=["RS256"])
        registry = jose_jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": tenant.issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        registry.validate(decoded.claims)
        assert decoded.header["kid"] in published_kids(tenant)

    tampered = tokens["access_token"][:-4] + ("AAAA" if not tokens["access_token"].endswith("AAAA") else "BBBB")
    try:
        jose_jwt.decode(tampered, keys, algorithms=["RS256"])
    except Exception as exc:  # joserfc raises BadSignatureError
        assert "signature" in type(exc).__name__.lower() or "signature" in str(exc).lower()
    else:
        raise AssertionError("a tampered token verified")


def test_rotate_signing_key_keeps_old_tokens_valid_until_they_expire(tenant: Tenant, settings) -> None:
    settings.JWKS_MIN_REFETCH_SECONDS = 0  # let the API refetch JWKS at once on the new kid
    before = sign_in(tenant)
    old_kid = jwt.get_unverified_header(before["access_token"])["kid"]
    assert requests.get(f"{tenant.base}/api/timesheets", headers=bearer(before["access_token"])).status_code == 200

    out = io.StringIO()
    call_command("rotate_signing_key", stdout=out)
    assert old_kid in out.getvalue()

    after = sign_in(tenant)
    new_kid = jwt.get_unverified_header(after["access_token"])["kid"]
    assert jwt.get_unverified_header(after["id_token"])["kid"] == new_kid
    assert new_kid != old_kid
    assert published_kids(tenant) == [new_kid, old_kid]
    for tokens in (before, after):
        response = requests.get(f"{tenant.base}/api/timesheets", headers=bearer(tokens["access_token"]))
        assert response.status_code == 200, response.text

    retired = SigningKey.objects.get(kid=old_kid)
    for token in (before["access_token"], before["id_token"]):
        # Only the expiry is read here; the tokens were verified against the API just above.
        expires = jwt.decode(token, options={"verify_signature": False})["exp"]
        assert retired.publish_until.timestamp() >= expires

    # Once every token it signed has expired, the old key leaves JWKS (and the next rotation deletes it).
    SigningKey.objects.filter(kid=old_kid).update(publish_until=timezone.now() - timedelta(seconds=1))
    assert published_kids(tenant) == [new_kid]
    call_command("rotate_signing_key", stdout=io.StringIO())
    assert not SigningKey.objects.filter(kid=old_kid).exists()
