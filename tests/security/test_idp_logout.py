"""RP-initiated logout cannot be used to sign someone else out (issue 9, item 4)."""

from __future__ import annotations

import json
import time

import pytest
import requests
from jwcrypto import jwk, jwt

from idp import keys
from tests.idp.conftest import Tenant, tenant_at
from tests.idp.oauth_client import bearer, refresh


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    return tenant_at(live_server, settings)


def alices_tokens(tenant: Tenant) -> tuple[object, dict]:
    flow = tenant.authorization()
    tokens = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    return flow, tokens


def resigned(id_token: str, key: jwk.JWK, kid: str, **changes) -> str:
    """The ID token's claims with `changes`, signed by `key` under `kid`."""
    claims = json.loads(jwt.JWT(jwt=id_token, key=keys.jwk_for(keys.active_key())).claims)
    claims.update(changes)
    token = jwt.JWT(header={"alg": "RS256", "kid": kid}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def tokens_still_work(tenant: Tenant, tokens: dict) -> bool:
    userinfo = requests.get(f"{tenant.base}/userinfo", headers=bearer(tokens["access_token"]))
    refreshed = refresh(tenant.base, tenant.pwa_client_id, tokens["refresh_token"])
    return userinfo.status_code == 200 and refreshed.status_code == 200


def test_an_id_token_alone_signs_nobody_out(tenant: Tenant) -> None:
    _flow, tokens = alices_tokens(tenant)
    stranger = requests.get(
        f"{tenant.base}/oidc/logout",
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": f"{tenant.base}/"},
        allow_redirects=False,
    )
    assert stranger.status_code == 302  # nothing to end: no session here
    assert tokens_still_work(tenant, tokens)


def test_a_confirmed_logout_in_another_session_revokes_only_that_sessions_user(tenant: Tenant) -> None:
    _alice, alice_tokens = alices_tokens(tenant)
    carol = tenant.authorization()
    carol.code_for("carol", tenant.passwords["carol"])
    # Carol's browser opens a logout link carrying Alice's ID token: DOT asks to confirm.
    page = carol.session.get(f"{tenant.base}/oidc/logout", params={"id_token_hint": alice_tokens["id_token"]})
    assert page.status_code == 200
    csrf = carol.session.cookies["csrftoken"]
    confirmed = carol.session.post(
        f"{tenant.base}/oidc/logout",
        data={"csrfmiddlewaretoken": csrf, "id_token_hint": alice_tokens["id_token"], "allow": "Yes"},
        allow_redirects=False,
    )
    assert confirmed.status_code == 302
    assert tokens_still_work(tenant, alice_tokens)
    assert carol.open().status_code == 200  # Carol's own session ended


def test_the_signed_in_users_own_logout_still_revokes_their_tokens(tenant: Tenant) -> None:
    flow, tokens = alices_tokens(tenant)
    done = flow.session.get(
        f"{tenant.base}/oidc/logout",
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": f"{tenant.base}/"},
        allow_redirects=False,
    )
    assert done.status_code == 302
    assert requests.get(f"{tenant.base}/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
    assert refresh(tenant.base, tenant.pwa_client_id, tokens["refresh_token"]).status_code == 400


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda key, kid: (key, kid, {"exp": int(time.time()) - 60}), id="expired"),
        pytest.param(lambda key, kid: (key, kid, {"iss": "https://evil.example/"}), id="other-issuer"),
        pytest.param(lambda key, kid: (jwk.JWK.generate(kty="RSA", size=2048), kid, {}), id="bad-signature"),
    ],
)
def test_expired_or_foreign_hints_are_refused(tenant: Tenant, forge) -> None:
    flow, tokens = alices_tokens(tenant)
    active = keys.active_key()
    key, kid, changes = forge(keys.jwk_for(active), active.kid)
    hint = resigned(tokens["id_token"], key, kid, **changes)
    response = flow.session.get(
        f"{tenant.base}/oidc/logout",
        params={"id_token_hint": hint, "post_logout_redirect_uri": f"{tenant.base}/"},
        allow_redirects=False,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert flow.open().status_code == 302  # still signed in
    assert tokens_still_work(tenant, tokens)
