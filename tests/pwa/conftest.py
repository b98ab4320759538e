"""Browser tests of the phone app: Debian's Chromium driven by Playwright, one
browser per session, a fresh phone-size context per test, the real app served by
pytest-django's live server, signing in through the embedded issuer's login page."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.support.tenant import demo_tenant_json, serve_embedded_issuer_at

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 640}
LOGIN_TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser
# The app talks to a live server (and the issuer) on 2 cores: allow for a slow moment.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (`make browser`).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        # Nothing leaves the machine: Chromium's own background lookups fail fast.
        "args": ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-GB",
        "timezone_id": "UTC",
    }


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, collected_static: None) -> Iterator[LiveServer]:
    """pytest-django's live server, serving static files the production way.

    Its default wraps the app in Django's StaticFilesHandler, which looks files up
    by their source names and so answers 404 for the hashed names the shell uses.
    Without that wrapper whitenoise (in MIDDLEWARE) serves the collected, hashed
    files with their real cache headers, as under gunicorn.
    """
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(address, start=False)
    server.thread.static_handler = lambda handler: handler
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_url(live_server: LiveServer, settings) -> str:
    """The app's origin as the browser sees it; the embedded issuer lives there too."""
    serve_embedded_issuer_at(settings, live_server.url)
    return live_server.url


@pytest.fixture
def tenant(app_url: str) -> dict[str, Any]:
    """The demo tenant (API, the phone app's client, projects, alice and carol), as `make run` creates it."""
    return demo_tenant_json()


def user(tenant: dict[str, Any], username: str) -> dict[str, Any]:
    return next(u for u in tenant["users"] if u["username"] == username)


@pytest.fixture
def new_phone(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Any]:
    """new_phone() -> a page in a fresh context (its own storage), closed after the test."""
    contexts: list[BrowserContext] = []

    def _open() -> Page:
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(LOGIN_TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors  # type: ignore[attr-defined]
        if os.getenv("PWA_DEBUG"):
            page.on("console", lambda m: print("CONSOLE", m.type, m.text))
            page.on("response", lambda r: print("RESP", r.request.method, r.url[-60:], r.status))
            page.on("requestfailed", lambda r: print("FAILED", r.method, r.url[-60:], r.failure))
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_phone: Any) -> Page:
    return new_phone()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PWA_SCREENSHOTS=docs/screenshots refreshes the README's pictures; otherwise they go to a temp dir."""
    target = os.getenv("PWA_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def snap(screenshot_dir: Path) -> Any:
    """snap(page, name, around=locator): a phone-size screenshot, scrolled to `around` when given."""

    def _snap(page: Page, name: str, around: Locator | None = None) -> Path:
        if around is not None:
            around.evaluate("(element) => element.scrollIntoView({ block: 'center' })")
        target = screenshot_dir / f"{name}.png"
        # The passing notification would hide what the picture is meant to show.
        page.screenshot(
            path=str(target), animations="disabled", caret="hide", style="#status { visibility: hidden !important; }"
        )
        return target

    return _snap


def sign_in(page: Page, app_url: str, username: str, password: str) -> None:
    """Open the app and sign in through the issuer's real login page."""
    page.goto(f"{app_url}/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/authorize" in url or "/login" in url)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{app_url}/#/week")
    expect(page.get_by_role("heading", level=1, name="Week")).to_be_visible()
    wait_for_week(page)


def wait_for_week(page: Page) -> None:
    """The week screen has its server data (not only the saved copy)."""
    expect(page.locator("h1[data-state=fresh]")).to_be_visible()


def wait_for_service_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.active.state)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def idb_get(page: Page, key: str) -> Any:
    """Read one value from the app's key-value store in IndexedDB."""
    return page.evaluate(
        """(key) => new Promise((resolve, reject) => {
            const open = indexedDB.open("abc-timesheets");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains("kv")) { db.close(); return resolve(null); }
                const request = db.transaction("kv").objectStore("kv").get(key);
                request.onsuccess = () => { db.close(); resolve(request.result ?? null); };
                request.onerror = () => reject(request.error);
            };
        })""",
        key,
    )
