"""Swagger UI at /api/docs/ signs in against the embedded issuer (Authorization Code + PKCE) in Chromium."""

from __future__ import annotations

import pytest

from tests.idp.conftest import Tenant


@pytest.mark.browser
def test_swagger_ui_authorize_then_call_the_api(tenant: Tenant, page, settings) -> None:
    # The live server serves static files from the finders by their source names, not the
    # hashed names of the manifest storage `make run` uses.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    page.goto(f"{tenant.base}/api/docs/")
    page.get_by_role("button", name="Authorize").first.click()
    modal = page.locator(".modal-ux")
    # The first flow is authorizationCode with PKCE, client id and scopes preset by SWAGGER_UI_OAUTH2_CONFIG.
    with page.expect_popup() as popup_info:
        modal.get_by_role("button", name="Apply given OAuth2 credentials").first.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.fill("#username", "alice")
    popup.fill("#password", tenant.passwords["alice"])
    popup.click("button[type=submit]")
    # The popup ends on /api/docs/oauth2-redirect.html, hands the code to the docs page and closes.
    if not popup.is_closed():  # it may have closed already: a "close" that was emitted never comes again
        popup.wait_for_event("close")
    modal.locator("button", has_text="Logout").first.wait_for()
    modal.locator("button.btn-done").first.click()

    operation = page.locator(".opblock-get").filter(has_text="/api/timesheets").first
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda r: "/api/timesheets" in r.url and r.request.method == "GET") as response_info:
        operation.get_by_role("button", name="Execute").click()
    response = response_info.value
    assert response.status == 200, response.text()
    assert response.request.headers["authorization"].startswith("Bearer ey")
    assert response.json()["results"] == []
