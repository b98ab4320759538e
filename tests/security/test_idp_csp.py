"""Content-Security-Policy on the sign-in pages, the admin and Swagger UI (issue 9, item 8)."""

from __future__ import annotations

import re

import pytest
import requests
from django.test import Client

from tests.idp.conftest import Tenant, tenant_at


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    return tenant_at(live_server, settings)


def directives(response: requests.Response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def assert_no_inline_script(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_the_sign_in_page_has_a_strict_policy(tenant: Tenant) -> None:
    page = tenant.authorization().open()
    assert page.status_code == 200
    policy = directives(page)
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == "'self'"
    assert "script-src" not in policy  # falls back to 'none'
    assert policy["frame-ancestors"] == "'none'"
    assert "<style" not in page.text and "style=" not in page.text
    assert_no_inline_script(page.text)
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text).group(1)
    assert Client().get(stylesheet).status_code == 200  # the hashed name, as `make run` serves it


def test_the_admin_has_a_policy_without_inline_script(tenant: Tenant) -> None:
    page = requests.get(f"{tenant.base}/admin/login/")
    assert page.status_code == 200
    policy = directives(page)
    assert policy["script-src"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert_no_inline_script(page.text)


def test_swagger_ui_has_a_policy_without_inline_script(tenant: Tenant) -> None:
    page = requests.get(f"{tenant.base}/api/docs/")
    assert page.status_code == 200
    policy = directives(page)
    assert policy["script-src"] == "'self'"
    assert tenant.base in policy["connect-src"].split() or "'self'" in policy["connect-src"].split()
    assert_no_inline_script(page.text)
    script = requests.get(f"{tenant.base}/api/docs/?script")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")


def test_the_phone_apps_own_policy_is_kept(tenant: Tenant) -> None:
    shell = requests.get(f"{tenant.base}/")
    assert "'sha256-" in directives(shell)["script-src"]  # pwa/views.py's policy, not replaced


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, as in tests/idp (nothing is downloaded)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"],
    }


@pytest.mark.browser
def test_chromium_reports_no_policy_violation_on_the_sign_in_page_and_the_admin(
    tenant: Tenant, page, settings, carol_staff: str
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(
        tenant.authorization()
        .session.prepare_request(
            requests.Request("GET", f"{tenant.base}/authorize", params=tenant.authorization().params())
        )
        .url
    )
    assert page.locator("#password").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('main')).borderRadius") != "0px"  # the CSS applied
    page.goto(f"{tenant.base}/admin/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", carol_staff)
    page.click("input[type=submit]")
    page.wait_for_url(f"{tenant.base}/admin/")
    page.goto(f"{tenant.base}/admin/timesheets/entry/")
    assert violations == []


@pytest.fixture
def carol_staff(tenant: Tenant) -> str:
    from authn.models import User

    User.objects.filter(username="carol").update(is_staff=True, is_superuser=True)
    return tenant.passwords["carol"]
