"""response_mode=web_message and form_post at /authorize; null and foreign parameters in requests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

import pytest
from django.test import Client

from authn.models import User
from idp.models import ApplicationProfile
from tests.idp.oauth_client import pkce_pair
from tests.support.tenant import demo_tenant_json, serve_embedded_issuer_at

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def tenant(db, settings) -> dict[str, Any]:
    serve_embedded_issuer_at(settings, BASE)
    return demo_tenant_json()


def authorize(client: Client, tenant: dict[str, Any], **extra: str) -> Any:
    _verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": tenant["pwa_client_id"],
        "redirect_uri": tenant["pwa_redirect_uri"],
        "scope": "openid profile email",
        "audience": tenant["audience"],
        "state": "st-123",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return client.get("/authorize", params)


def signed_in(tenant: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="alice"))
    return client


def posted_message(response: Any) -> dict[str, Any]:
    match = re.search(rb'<script id="authorization-response" type="application/json">(.*?)</script>', response.content)
    assert match, response.content[:500]
    return json.loads(match.group(1))


def inline_script_hash(response: Any) -> str:
    script = re.search(rb"<script>(.*?)</script>", response.content, re.S).group(1)
    return "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"


def test_web_message_posts_the_code_to_the_application_origin(tenant) -> None:
    response = authorize(signed_in(tenant), tenant, response_mode="web_message", prompt="none")
    assert response.status_code == 200
    message = posted_message(response)
    assert message["origin"] == BASE
    assert set(message["response"]) >= {"code", "state"} and message["response"]["state"] == "st-123"
    policy = response["Content-Security-Policy"]
    assert f"frame-ancestors {BASE}" in policy
    assert inline_script_hash(response) in policy  # the one script that runs
    assert "X-Frame-Options" not in response
    assert response["Cache-Control"] == "no-store"


def test_web_message_without_a_session_answers_login_required(tenant) -> None:
    response = authorize(Client(), tenant, response_mode="web_message", prompt="none")
    assert response.status_code == 200
    assert posted_message(response)["response"] == {"error": "login_required", "state": "st-123"}


def test_web_message_needs_the_origin_among_the_allowed_web_origins(tenant) -> None:
    ApplicationProfile.objects.filter(application__client_id=tenant["pwa_client_id"]).update(
        allowed_web_origins="https://elsewhere.example"
    )
    response = authorize(signed_in(tenant), tenant, response_mode="web_message", prompt="none")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "Allowed Web Origins" in response.json()["error_description"]


def test_other_pages_of_authorize_stay_unframeable(tenant) -> None:
    response = authorize(Client(), tenant, response_mode="web_message")  # the sign-in page
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"


def test_form_post_submits_code_and_state_to_the_redirect_uri(tenant) -> None:
    response = authorize(signed_in(tenant), tenant, response_mode="form_post")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{tenant["pwa_redirect_uri"]}"' in html
    assert 'name="code"' in html and 'name="state" value="st-123"' in html
    policy = response["Content-Security-Policy"]
    assert f"form-action {BASE}" in policy and inline_script_hash(response) in policy


def test_query_stays_the_default(tenant) -> None:
    response = authorize(signed_in(tenant), tenant)
    assert response.status_code == 302
    assert response["Location"].startswith(tenant["pwa_redirect_uri"] + "?code=")


def test_discovery_lists_the_response_modes(tenant) -> None:
    document = Client().get("/.well-known/openid-configuration").json()
    assert document["response_modes_supported"] == ["query", "form_post", "web_message"]
    assert document["issuer"] == BASE + "/"


def test_inapplicable_auth0_parameters_at_authorize_are_ignored(tenant) -> None:
    response = authorize(
        signed_in(tenant), tenant, organization="org_123", connection="Username-Password-Authentication", screen_hint=""
    )
    assert response.status_code == 302
    assert "code=" in response["Location"]


def test_json_null_means_absent_at_token_and_revoke(tenant) -> None:
    client = Client()
    token = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": tenant["batch_client_id"],
            "client_secret": tenant["batch_client_secret"],
            "audience": tenant["audience"],
            "organization": None,
            "scope": None,
        },
        content_type="application/json",
    )
    assert token.status_code == 200, token.content
    assert "batch:upload" in token.json()["scope"]  # scope null: the client grant's scopes, as if absent
    revoked = client.post(
        "/oauth/revoke",
        {
            "token": token.json()["access_token"],
            "token_type_hint": None,
            "client_id": tenant["batch_client_id"],
            "client_secret": tenant["batch_client_secret"],
        },
        content_type="application/json",
    )
    assert revoked.status_code == 200, revoked.content


def test_organization_and_other_auth0_parameters_are_ignored_at_token(tenant) -> None:
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": tenant["batch_client_id"],
            "client_secret": tenant["batch_client_secret"],
            "audience": tenant["audience"],
            "organization": "org_123",
            "realm": "Username-Password-Authentication",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_json_still_refuses_values_that_are_not_strings(tenant) -> None:
    response = Client().post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": tenant["batch_client_id"], "audience": ["a", "b"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
