"""OAuth and OpenID Connect edge cases (RFC 6749, 7636, 8252, 9207, 9700; OIDC Core): issue 9, item 7."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import pytest
import requests

from authn.models import User
from tests.idp.conftest import Tenant, tenant_at
from tests.idp.oauth_client import query_of


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    return tenant_at(live_server, settings)


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


# --- redirect_uri ---------------------------------------------------------------------------------


def test_the_code_exchange_must_repeat_the_redirect_uri(tenant: Tenant) -> None:
    flow = tenant.authorization()
    code = flow.code_for("alice", tenant.passwords["alice"])["code"]
    without = flow.exchange(code, redirect_uri=None)
    assert without.status_code == 400, without.text
    assert without.json()["error"] in ("invalid_request", "invalid_grant")
    assert "access_token" not in without.json()


def test_authorize_without_a_redirect_uri_is_refused(tenant: Tenant) -> None:
    flow = tenant.authorization()
    flow.redirect_uri = None
    response = flow.session.get(
        f"{tenant.base}/authorize", params={k: v for k, v in flow.params().items() if v is not None}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_loopback_redirect_uri_must_match_its_port(tenant: Tenant) -> None:
    registered = urlsplit(tenant.pwa_redirect_uri)
    assert registered.hostname in ("127.0.0.1", "localhost")
    other_port = registered._replace(netloc=f"{registered.hostname}:{registered.port + 1}").geturl()
    flow = tenant.authorization()
    flow.redirect_uri = other_port
    response = flow.open()
    assert response.status_code == 400, response.headers.get("Location")
    assert "Location" not in response.headers
    assert response.json()["error"] == "invalid_request"
    flow.redirect_uri = tenant.pwa_redirect_uri
    assert flow.open().status_code == 200  # the registered one, port included, still works


# --- PKCE ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "challenge",
    ["a" * 42, "a" * 129, "a" * 42 + "!", "a" * 42 + "=", "a" * 42 + " "],
    ids=["42", "129", "!", "=", "sp"],
)
def test_a_malformed_code_challenge_is_refused(tenant: Tenant, challenge: str) -> None:
    flow = tenant.authorization()
    flow.code_for("alice", tenant.passwords["alice"])
    flow.extra["code_challenge"] = challenge
    response = flow.open()
    assert response.status_code == 302
    callback = query_of(response.headers["Location"])
    assert callback["error"] == "invalid_request"
    assert "code_challenge" in callback["error_description"]
    assert "code" not in callback


@pytest.mark.parametrize("verifier", ["a" * 42, "a" * 129, "a" * 42 + "/"], ids=["42", "129", "slash"])
def test_a_malformed_code_verifier_is_refused(tenant: Tenant, verifier: str) -> None:
    flow = tenant.authorization()
    # A plain-looking pair whose S256 matches: only the verifier's shape is wrong.
    import hashlib

    flow.verifier = verifier
    flow.challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = flow.code_for("alice", tenant.passwords["alice"])["code"]
    response = flow.exchange(code)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert "code_verifier" in response.json()["error_description"]


# --- client authentication ----------------------------------------------------------------------------


def test_a_client_authenticates_one_way_per_request(tenant: Tenant) -> None:
    body = {"grant_type": "client_credentials", "audience": tenant.audience}
    both = requests.post(
        f"{tenant.base}/oauth/token",
        data={**body, "client_id": tenant.batch_client_id, "client_secret": tenant.batch_client_secret},
        headers=basic(tenant.batch_client_id, "wrong-secret"),
    )
    assert both.status_code == 400, both.text
    assert both.json()["error"] == "invalid_request"
    assert "access_token" not in both.json()
    for one_way in (
        requests.post(
            f"{tenant.base}/oauth/token", data=body, headers=basic(tenant.batch_client_id, tenant.batch_client_secret)
        ),
        requests.post(
            f"{tenant.base}/oauth/token",
            data={**body, "client_id": tenant.batch_client_id, "client_secret": tenant.batch_client_secret},
        ),
    ):
        assert one_way.status_code == 200, one_way.text


def test_failed_client_authentication_is_throttled_per_client(tenant: Tenant, settings) -> None:
    settings.IDP_CLIENT_MAX_FAILURES_PER_CLIENT = 4
    settings.IDP_LOGIN_MAX_FAILURES_PER_ADDRESS = 100
    body = {"grant_type": "client_credentials", "audience": tenant.audience, "client_id": tenant.batch_client_id}
    # Successes in between do not reset the count (a busy client would otherwise hide a guesser).
    for attempt in range(4):
        wrong = requests.post(f"{tenant.base}/oauth/token", json={**body, "client_secret": f"guess-{attempt}"})
        assert wrong.status_code == 401
        right = requests.post(f"{tenant.base}/oauth/token", json={**body, "client_secret": tenant.batch_client_secret})
        assert right.status_code == 200 if attempt < 3 else 429
    locked = requests.post(
        f"{tenant.base}/oauth/token", data=body, headers=basic(tenant.batch_client_id, tenant.batch_client_secret)
    )
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_attempts"
    assert int(locked.headers["Retry-After"]) > 0


def test_failed_client_authentication_counts_toward_the_address_limit(tenant: Tenant, settings) -> None:
    settings.IDP_CLIENT_MAX_FAILURES_PER_CLIENT = 100
    settings.IDP_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for client_id in ("c1", "c2", "c3"):
        response = requests.post(
            f"{tenant.base}/oauth/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "x"},
        )
        assert response.status_code == 401
    body = {"grant_type": "client_credentials", "audience": tenant.audience}
    assert (
        requests.post(
            f"{tenant.base}/oauth/token", data=body, headers=basic(tenant.batch_client_id, tenant.batch_client_secret)
        ).status_code
        == 429
    )
    # …and a person's sign-in from that address too: one store, one address limit.
    assert tenant.authorization().sign_in("alice", tenant.passwords["alice"]).status_code == 429


# --- prompt=none with id_token_hint, max_age ----------------------------------------------------------------


def test_prompt_none_with_another_users_id_token_hint_is_login_required(tenant: Tenant) -> None:
    carol = tenant.authorization()
    carol_tokens = carol.exchange(carol.code_for("carol", tenant.passwords["carol"])["code"]).json()
    alice = tenant.authorization()
    alice.code_for("alice", tenant.passwords["alice"])
    alice.extra.update(prompt="none", id_token_hint=carol_tokens["id_token"])
    response = alice.open()
    assert response.status_code == 302
    callback = query_of(response.headers["Location"])
    assert callback["error"] == "login_required"
    assert callback["state"] == alice.state
    assert "code" not in callback


def test_prompt_none_with_the_users_own_hint_is_silent(tenant: Tenant) -> None:
    flow = tenant.authorization()
    tokens = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    flow.extra.update(prompt="none", id_token_hint=tokens["id_token"])
    callback = query_of(flow.open().headers["Location"])
    assert "code" in callback, callback


def test_another_users_hint_without_prompt_none_asks_for_a_sign_in(tenant: Tenant) -> None:
    carol = tenant.authorization()
    carol_tokens = carol.exchange(carol.code_for("carol", tenant.passwords["carol"])["code"]).json()
    alice = tenant.authorization()
    alice.code_for("alice", tenant.passwords["alice"])
    alice.extra["id_token_hint"] = carol_tokens["id_token"]
    page = alice.open()
    assert page.status_code == 200
    assert 'name="password"' in page.text


def test_max_age_forces_a_fresh_sign_in_when_the_session_is_older(tenant: Tenant) -> None:
    flow = tenant.authorization()
    first = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    auth_time = json.loads(base64.urlsafe_b64decode(first["id_token"].split(".")[1] + "=="))["auth_time"]
    # The session is now a minute old.
    session = flow.session.cookies["sessionid"]
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore(session_key=session)
    store["idp_auth_time"] = store["idp_auth_time"] - 60
    store.save()
    User.objects.filter(username="alice").update(last_login=None)

    flow.extra["max_age"] = "3600"
    assert flow.open().status_code == 302  # young enough
    flow.extra.update(max_age="30", prompt="none")
    callback = query_of(flow.open().headers["Location"])
    assert callback["error"] == "login_required"
    del flow.extra["prompt"]
    page = flow.open()
    assert page.status_code == 200 and 'name="password"' in page.text
    fresh = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    new_auth_time = json.loads(base64.urlsafe_b64decode(fresh["id_token"].split(".")[1] + "=="))["auth_time"]
    assert new_auth_time >= auth_time


# --- RFC 9207 iss ----------------------------------------------------------------------------------------------


def test_authorization_responses_carry_iss_and_discovery_says_so(tenant: Tenant) -> None:
    document = requests.get(f"{tenant.base}/.well-known/openid-configuration").json()
    assert document["authorization_response_iss_parameter_supported"] is True
    flow = tenant.authorization()
    callback = flow.code_for("alice", tenant.passwords["alice"])
    assert callback["iss"] == tenant.issuer == document["issuer"]
    flow.scope = "openid unknown:scope"
    error = query_of(flow.open().headers["Location"])
    assert error["error"] == "invalid_scope"
    assert error["iss"] == tenant.issuer
