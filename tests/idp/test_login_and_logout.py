"""The sign-in page (one generic error, throttling) and logout at /v2/logout and /oidc/logout."""

from __future__ import annotations

import requests

from tests.idp.conftest import Tenant
from tests.idp.oauth_client import login_form, query_of


def test_wrong_password_and_unknown_user_get_the_same_generic_error(tenant: Tenant) -> None:
    flow = tenant.authorization()
    wrong_password = flow.sign_in("alice", "not-her-password")
    unknown_user = flow.sign_in("mallory", "whatever-it-is")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 400
        assert "Wrong username or password." in response.text
        assert "Location" not in response.headers
    assert flow.session.cookies.get("sessionid") is None


def test_login_form_needs_its_csrf_token(tenant: Tenant) -> None:
    flow = tenant.authorization()
    action, _csrf = login_form(flow.open())
    response = flow.session.post(
        tenant.base + action, data={"username": "alice", "password": tenant.passwords["alice"]}, allow_redirects=False
    )
    assert response.status_code == 403


def test_repeated_failures_lock_the_account_even_for_the_right_password(tenant: Tenant, settings) -> None:
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    flow = tenant.authorization()
    for _ in range(3):
        assert flow.sign_in("alice", "guess").status_code == 400
    locked = flow.sign_in("alice", tenant.passwords["alice"])
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.text
    # Another account is not affected by alice's lock.
    other = tenant.authorization()
    assert other.sign_in("carol", tenant.passwords["carol"]).status_code == 303


def test_repeated_failures_from_one_address_are_throttled(tenant: Tenant, settings) -> None:
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 100
    settings.IDP_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    flow = tenant.authorization()
    for name in ("u1", "u2", "u3", "u4"):
        assert flow.sign_in(name, "guess").status_code == 400
    assert flow.sign_in("carol", tenant.passwords["carol"]).status_code == 429


def test_a_success_clears_the_accounts_failures(tenant: Tenant, settings) -> None:
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    flow = tenant.authorization()
    for _ in range(2):
        flow.sign_in("alice", "guess")
    assert flow.sign_in("alice", tenant.passwords["alice"]).status_code == 303
    again = tenant.authorization()
    for _ in range(2):
        again.sign_in("alice", "guess")
    assert again.sign_in("alice", tenant.passwords["alice"]).status_code == 303


def test_session_is_reused_then_v2_logout_ends_it(tenant: Tenant) -> None:
    flow = tenant.authorization()
    flow.code_for("alice", tenant.passwords["alice"])
    # Signed in: the next authorization needs no form.
    assert flow.open().status_code == 302

    logout = flow.session.get(
        f"{tenant.base}/v2/logout",
        params={"client_id": tenant.pwa_client_id, "returnTo": f"{tenant.base}/"},
        allow_redirects=False,
    )
    assert logout.status_code == 302
    assert logout.headers["Location"] == f"{tenant.base}/"
    assert flow.open().status_code == 200  # the sign-in form again


def test_v2_logout_rejects_an_unregistered_return_to(tenant: Tenant) -> None:
    flow = tenant.authorization()
    flow.code_for("alice", tenant.passwords["alice"])
    response = flow.session.get(
        f"{tenant.base}/v2/logout",
        params={"client_id": tenant.pwa_client_id, "returnTo": "https://evil.example/"},
        allow_redirects=False,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "Allowed Logout URLs" in response.json()["error_description"]
    assert flow.open().status_code == 302  # still signed in: nothing happened

    without_client = requests.get(
        f"{tenant.base}/v2/logout", params={"returnTo": f"{tenant.base}/"}, allow_redirects=False
    )
    assert without_client.status_code == 400
    unknown_client = requests.get(f"{tenant.base}/v2/logout", params={"client_id": "nope"}, allow_redirects=False)
    assert unknown_client.status_code == 400


def test_v2_logout_without_return_to_shows_a_signed_out_page(tenant: Tenant) -> None:
    response = requests.get(f"{tenant.base}/v2/logout")
    assert response.status_code == 200
    assert "signed out" in response.text


def test_oidc_logout_with_id_token_hint(tenant: Tenant) -> None:
    flow = tenant.authorization()
    tokens = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()

    refused = flow.session.get(
        f"{tenant.base}/oidc/logout",
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
        allow_redirects=False,
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_request"
    assert flow.open().status_code == 302

    done = flow.session.get(
        f"{tenant.base}/oidc/logout",
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": f"{tenant.base}/", "state": "s1"},
        allow_redirects=False,
    )
    assert done.status_code == 302
    assert done.headers["Location"].startswith(f"{tenant.base}/?")
    assert query_of(done.headers["Location"]) == {"state": "s1"}
    assert flow.open().status_code == 200
    # Logging out through OIDC also revokes the tokens issued to that session's user.
    assert (
        requests.get(
            f"{tenant.base}/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ).status_code
        == 401
    )


def test_prompt_none_without_session_redirects_with_login_required(tenant: Tenant) -> None:
    flow = tenant.authorization(extra={"prompt": "none"})
    response = flow.open()
    assert response.status_code == 302
    callback = query_of(response.headers["Location"])
    assert callback["error"] == "login_required"
    assert callback["state"] == flow.state


def test_prompt_none_with_a_session_issues_a_code_silently(tenant: Tenant) -> None:
    flow = tenant.authorization()
    flow.code_for("alice", tenant.passwords["alice"])
    flow.extra["prompt"] = "none"
    response = flow.open()
    assert response.status_code == 302
    callback = query_of(response.headers["Location"])
    assert "code" in callback and callback["state"] == flow.state
    assert flow.exchange(callback["code"]).status_code == 200


def test_prompt_login_asks_for_the_password_again(tenant: Tenant) -> None:
    flow = tenant.authorization()
    flow.code_for("alice", tenant.passwords["alice"])
    flow.extra["prompt"] = "login"
    page = flow.open()
    assert page.status_code == 200
    assert 'name="password"' in page.text
    action, _ = login_form(page)
    assert "prompt" not in action
