"""@auth0/auth0-spa-js (pinned in package.json), unchanged, in Chromium, from a page on another origin.

Every call the SDK makes to the issuer is cross-origin and preflighted (it sends
an Auth0-Client header), and silent authentication and popups use
response_mode=web_message: these tests fail without CORS on the issuer, Allowed
Web Origins and the web_message page, and they time out instead of failing fast
if the page does not post Auth0's message.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Request
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.sdk.conftest import SpaSite

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
# The SDK waits this long for the iframe's message (its default is 60 s): a page that
# never posts fails the test in seconds instead of stalling it.
IFRAME_TIMEOUT_S = 8
NO_REFRESH = f"{{useRefreshTokens: false, cacheLocation: 'memory', authorizeTimeoutInSeconds: {IFRAME_TIMEOUT_S}}}"


def open_page(context: BrowserContext, spa: SpaSite) -> tuple[Page, list[Request]]:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    issuer_requests: list[Request] = []
    context.on("request", lambda r: issuer_requests.append(r) if r.url.startswith(spa.issuer_base) else None)
    page.goto(spa.redirect_uri)
    return page, issuer_requests


def sign_in_on_issuer_page(page: Page, username: str, password: str) -> None:
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")


def silent_attempt(page: Page, options: str, call: str) -> Any:
    """Run `call` (e.g. getTokenSilently) on a fresh client; its result, or {error} when it rejects."""
    return page.evaluate(
        f"""async () => {{
            const client = await makeClient({options});
            try {{ const value = await client.{call}; return {{ value, user: await client.getUser() }}; }}
            catch (error) {{ return {{ error: error.error || String(error), description: error.error_description }}; }}
        }}"""
    )


def test_redirect_sign_in_api_call_refresh_silent_authentication_and_logout(
    context: BrowserContext, spa: SpaSite
) -> None:
    page, issuer_requests = open_page(context, spa)

    # loginWithRedirect → the issuer's sign-in page → back with ?code=&state=
    page.evaluate("async () => { const c = await makeClient({useRefreshTokens: true}); await c.loginWithRedirect(); }")
    page.wait_for_url(f"{spa.issuer_base}/authorize*")
    sign_in_on_issuer_page(page, "alice", spa.passwords["alice"])
    page.wait_for_url(f"{spa.redirect_uri}?code=*")

    # handleRedirectCallback exchanges the code (a cross-origin POST /oauth/token), getUser reads the ID token.
    result = page.evaluate(
        """async () => {
            const client = await makeClient({useRefreshTokens: true});
            window.client = client;
            await client.handleRedirectCallback();
            const token = await client.getTokenSilently();
            const me = await fetch(CONFIG.issuer + "/api/me", {headers: {Authorization: "Bearer " + token}});
            return {user: await client.getUser(), token, status: me.status, me: await me.json()};
        }"""
    )
    assert result["user"]["email"] == "alice@exampleco.com"
    assert result["user"]["nickname"] == "alice"
    assert result["status"] == 200, result["me"]
    assert "read:timesheets" in str(result["me"])
    token_calls = [r for r in issuer_requests if r.url.endswith("/oauth/token")]
    # A non-safelisted header: the browser asked (preflight) before it POSTed, and the issuer allowed this origin.
    assert "auth0-client" in token_calls[0].headers
    assert token_calls[0].response().headers["access-control-allow-origin"] == spa.origin

    # useRefreshTokens: a fresh token comes from the refresh grant, not from the iframe.
    before = len(issuer_requests)
    refreshed = page.evaluate("() => window.client.getTokenSilently({cacheMode: 'off'})")
    assert refreshed != result["token"]
    refresh_posts = [r for r in issuer_requests[before:] if r.url.endswith("/oauth/token") and r.method == "POST"]
    assert len(refresh_posts) == 1 and "grant_type=refresh_token" in (refresh_posts[0].post_data or "")
    assert not [r for r in issuer_requests[before:] if "/authorize" in r.url]

    # Reload: checkSession (the SDK's is.authenticated cookie is set) signs in silently through
    # the hidden iframe (prompt=none, response_mode=web_message) and gets the user back.
    page.reload()
    before = len(issuer_requests)
    session = silent_attempt(page, NO_REFRESH, "checkSession()")
    assert "error" not in session, session
    assert session["user"]["email"] == "alice@exampleco.com"
    iframe_calls = [r for r in issuer_requests[before:] if "/authorize?" in r.url]
    assert iframe_calls and "response_mode=web_message" in iframe_calls[0].url
    assert "prompt=none" in iframe_calls[0].url

    # getTokenSilently without refresh tokens: the iframe again, and a token the API takes.
    silent = silent_attempt(page, NO_REFRESH, "getTokenSilently({cacheMode: 'off'})")
    assert "error" not in silent, silent
    status = page.evaluate(
        """(token) => fetch(CONFIG.issuer + "/timesheets", {headers: {Authorization: "Bearer " + token}})
            .then((r) => r.status)""",
        silent["value"],
    )
    assert status == 200

    # logout → /v2/logout → back to the app; silent authentication now answers login_required at once.
    with page.expect_request(lambda r: r.url.startswith(f"{spa.issuer_base}/v2/logout?")) as logout_info:
        page.evaluate(
            "async () => { const c = await makeClient();"
            " await c.logout({logoutParams: {returnTo: CONFIG.redirectUri}}); }"
        )
    assert f"client_id={spa.client_id}" in logout_info.value.url
    assert logout_info.value.response().status == 302
    page.wait_for_url(spa.redirect_uri)
    page.wait_for_load_state()
    after_logout = silent_attempt(page, NO_REFRESH, "getTokenSilently({cacheMode: 'off'})")
    assert after_logout["error"] == "login_required", after_logout
    assert page.evaluate("async () => (await makeClient()).isAuthenticated()") is False


def test_login_with_popup(context: BrowserContext, spa: SpaSite) -> None:
    page, _ = open_page(context, spa)
    with page.expect_popup() as popup_info:
        page.locator("#popup").click()
    popup = popup_info.value
    popup.set_default_timeout(TIMEOUT_MS)
    popup.wait_for_url(f"{spa.issuer_base}/authorize*")
    sign_in_on_issuer_page(popup, "carol", spa.passwords["carol"])
    # The popup's last page posts the code to window.opener; the SDK closes it and exchanges the code.
    try:
        page.wait_for_function("window.popupResult !== null && window.popupResult !== undefined")
    except PlaywrightTimeoutError:
        where = "closed" if popup.is_closed() else f"{popup.url}: {popup.content()[:600]}"
        raise AssertionError(f"loginWithPopup did not finish; the popup is {where}") from None
    assert popup.is_closed()
    result = page.evaluate("window.popupResult")
    assert result.get("user", {}).get("email") == "carol@exampleco.com", result
