"""auth0-python (pinned in requirements-dev.txt), unchanged, against the live embedded issuer.

The SDK sends JSON bodies with null for what it was not given (e.g.
"organization": null), verifies ID tokens against the JWKS, and calls
/userinfo, /oauth/revoke and the refresh grant as it would at Auth0.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from auth0.authentication import GetToken, RevokeToken, Users
from auth0.authentication.exceptions import Auth0Error
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier

from tests.idp.oauth_client import AuthorizationRequest, bearer


class Sdk:
    """The SDK's clients pointed at the live issuer (host:port and http, as for a local Auth0 stand-in)."""

    def __init__(self, base: str, client_id: str, client_secret: str | None = None) -> None:
        self.base = base
        self.domain = urlsplit(base).netloc
        self.client_id = client_id
        self.tokens = GetToken(self.domain, client_id, client_secret=client_secret, protocol="http")
        self.users = Users(self.domain, protocol="http")
        self.revoke = RevokeToken(self.domain, client_id, client_secret=client_secret, protocol="http")

    def id_token_verifier(self) -> TokenVerifier:
        jwks = AsymmetricSignatureVerifier(f"{self.base}/.well-known/jwks.json")
        return TokenVerifier(signature_verifier=jwks, issuer=f"{self.base}/", audience=self.client_id)


@pytest.fixture
def tenant(live_server, issuer: dict[str, Any]) -> dict[str, Any]:
    return {**issuer, "base": live_server.url}


def password(tenant: dict[str, Any], username: str) -> str:
    return next(user["password"] for user in tenant["users"] if user["username"] == username)


def sign_in(tenant: dict[str, Any], sdk: Sdk) -> tuple[AuthorizationRequest, dict[str, Any]]:
    """alice signs in on the issuer's page; the SDK exchanges the code (PKCE)."""
    request = AuthorizationRequest(
        base=tenant["base"],
        client_id=tenant["pwa_client_id"],
        redirect_uri=tenant["pwa_redirect_uri"],
        audience=tenant["audience"],
    )
    code = request.code_for("alice", password(tenant, "alice"))["code"]
    tokens = sdk.tokens.authorization_code_pkce(request.verifier, code, tenant["pwa_redirect_uri"])
    return request, tokens


def test_client_credentials_with_null_organization(tenant: dict[str, Any]) -> None:
    sdk = Sdk(tenant["base"], tenant["batch_client_id"], tenant["batch_client_secret"])
    tokens = sdk.tokens.client_credentials(tenant["audience"])  # sends "organization": null
    assert tokens["token_type"] == "Bearer"
    me = requests.get(f"{tenant['base']}/api/me", headers=bearer(tokens["access_token"]), timeout=10)
    assert me.status_code == 200, me.text


def test_id_token_verifies_and_userinfo_answers(tenant: dict[str, Any]) -> None:
    sdk = Sdk(tenant["base"], tenant["pwa_client_id"])
    request, tokens = sign_in(tenant, sdk)
    claims = sdk.id_token_verifier().verify(tokens["id_token"], nonce=request.nonce)
    assert claims["email"] == "alice@exampleco.com"
    assert claims["aud"] == tenant["pwa_client_id"]
    profile = sdk.users.userinfo(tokens["access_token"])
    assert profile["sub"] == claims["sub"]
    assert profile["email"] == "alice@exampleco.com"


def test_refresh_keeps_the_previous_access_token_valid_until_revoked(tenant: dict[str, Any]) -> None:
    sdk = Sdk(tenant["base"], tenant["pwa_client_id"])
    _, first = sign_in(tenant, sdk)
    second = sdk.tokens.refresh_token(first["refresh_token"])
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    # Rotation alone revokes nothing that was issued: both access tokens answer at /userinfo.
    assert sdk.users.userinfo(first["access_token"])["email"] == "alice@exampleco.com"
    assert sdk.users.userinfo(second["access_token"])["email"] == "alice@exampleco.com"

    # Revoking the refresh token (RFC 7009) invalidates every access token of its grant.
    sdk.revoke.revoke_refresh_token(second["refresh_token"])
    for tokens in (first, second):
        with pytest.raises(Auth0Error) as refused:
            sdk.users.userinfo(tokens["access_token"])
        assert refused.value.status_code == 401
    with pytest.raises(Auth0Error) as refused:
        sdk.tokens.refresh_token(second["refresh_token"])
    assert refused.value.error_code == "invalid_grant"


def test_reusing_a_rotated_refresh_token_revokes_the_access_tokens_of_its_family(tenant: dict[str, Any]) -> None:
    sdk = Sdk(tenant["base"], tenant["pwa_client_id"])
    _, first = sign_in(tenant, sdk)
    second = sdk.tokens.refresh_token(first["refresh_token"])
    with pytest.raises(Auth0Error) as refused:
        sdk.tokens.refresh_token(first["refresh_token"])  # replayed: treated as theft
    assert refused.value.error_code == "invalid_grant"
    for tokens in (first, second):
        with pytest.raises(Auth0Error) as refused:
            sdk.users.userinfo(tokens["access_token"])
        assert refused.value.status_code == 401
