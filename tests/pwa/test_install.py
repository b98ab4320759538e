"""The app is installable and small: manifest, icons, service worker, shell budget."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.conftest import png_size, wait_for_service_worker

pytestmark = pytest.mark.browser

SHELL_BUDGET_BYTES = 100 * 1024


def test_manifest_icons_and_service_worker_pass_installability_basics(phone: Page, app_url: str) -> None:
    request = phone.context.request

    manifest_response = request.get(f"{app_url}/manifest.webmanifest")
    assert manifest_response.status == 200
    assert manifest_response.headers["content-type"].startswith("application/manifest+json")
    manifest = manifest_response.json()
    assert manifest["name"] == "ABC Timesheets"
    assert manifest["short_name"] == "Timesheets"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])

    seen = set()
    for icon in manifest["icons"]:
        icon_response = request.get(f"{app_url}{icon['src']}")
        assert icon_response.status == 200, icon["src"]
        assert icon_response.headers["content-type"] == "image/png"
        # Hashed names are cached for good.
        assert "immutable" in icon_response.headers["cache-control"]
        width, height = png_size(icon_response.body())
        assert f"{width}x{height}" == icon["sizes"]
        seen.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= seen

    worker = request.get(f"{app_url}/sw.js")
    assert worker.status == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    assert "no-cache" in worker.headers["cache-control"]

    # In the browser: the page links the manifest, the worker controls the whole origin.
    phone.goto(f"{app_url}/")
    assert phone.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest"
    wait_for_service_worker(phone)
    scope = phone.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
    assert scope == f"{app_url}/"
    assert phone.js_errors == []


def test_callback_serves_the_same_shell(phone: Page, app_url: str) -> None:
    shell = phone.context.request.get(f"{app_url}/")
    callback = phone.context.request.get(f"{app_url}/callback?state=x&code=y")
    assert callback.status == 200
    assert callback.text() == shell.text()
    assert "script-src 'self' 'sha256-" in shell.headers["content-security-policy"]


def test_config_names_issuer_client_audience_and_scopes(phone: Page, app_url: str, settings) -> None:
    response = phone.context.request.get(f"{app_url}/pwa/config.json")
    assert response.status == 200
    config = response.json()
    assert config["issuer"] == f"{app_url}/"
    assert config["client_id"] == settings.PWA_CLIENT_ID
    assert config["audience"] == settings.AUTH0_AUDIENCE
    assert config["redirect_uri"] == f"{app_url}/callback"
    assert config["post_logout_redirect_uri"] == f"{app_url}/"
    assert set(config["scope"].split()) == {
        "openid",
        "profile",
        "email",
        "offline_access",
        "read:timesheets",
        "create:timesheets",
        "delete:timesheets",
        "approve:timesheets",
    }


def test_first_load_stays_within_budget(phone: Page, app_url: str) -> None:
    phone.goto(f"{app_url}/")
    expect(phone.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    phone.wait_for_load_state("networkidle")
    loads = phone.evaluate(
        """() => [performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")]
            .map((entry) => ({ url: entry.name, bytes: entry.decodedBodySize }))"""
    )
    counted = [load for load in loads if "/icons/" not in load["url"]]
    urls = {load["url"].removeprefix(app_url) for load in counted}
    # The shell really loaded its modules, styles and settings (and the budget counts them all).
    assert any(re.fullmatch(r"/static/pwa/js/app\.[0-9a-f]{12}\.js", url) for url in urls), urls
    assert any(url.endswith(".css") for url in urls)
    assert "/pwa/config.json" in urls
    total = sum(load["bytes"] for load in counted)
    assert 0 < total <= SHELL_BUDGET_BYTES, json.dumps(counted, indent=1)
