"""Bug 1 of issue 11: typed time is never lost when the session has ended. The API
answers 401 and the issuer refuses the refresh token: Save keeps the entry on the
phone, the app says the session ended (tab bar still there), signs in again, comes
back to where the person was and sends the entry exactly once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from oauth2_provider.models import get_refresh_token_model
from playwright.sync_api import Page, Response, expect

from tests.pwa.a11y import assert_accessible
from tests.pwa.conftest import sign_in, user, wait_for_week
from tests.pwa.test_entries import choose_project
from tests.pwa.test_session import bearer_of, wait_until
from timesheets.models import Entry

pytestmark = pytest.mark.browser

SHORT_TOKEN_LIFETIME_SECONDS = 2


def queue_items(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("abc-timesheets");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const request = open.result.transaction("queue").objectStore("queue").getAll();
                request.onsuccess = () => { open.result.close(); resolve(request.result); };
            };
        })"""
    )


def test_save_after_the_session_ended_keeps_the_entry_and_sends_it_once_after_signing_in(
    phone: Page, app_url: str, tenant: dict[str, Any], settings, snap: Any
) -> None:
    from idp.models import Api

    Api.objects.filter(identifier=settings.AUTH0_AUDIENCE).update(token_lifetime=SHORT_TOKEN_LIFETIME_SECONDS)
    settings.JWT_LEEWAY_SECONDS = 0
    # The phone's clock stands still (a phone that slept): the server is first to see the token expire.
    phone.clock.install()
    phone.clock.pause_at(dt.datetime.now() + dt.timedelta(seconds=1))
    posts: list[Response] = []
    tokens: list[str] = []
    phone.on("request", lambda r: "/api/" in r.url and tokens.append(bearer_of(r)))
    phone.on("response", lambda r: r.request.method == "POST" and r.url.endswith("/api/timesheets") and posts.append(r))
    alice = user(tenant, "alice")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    sign_in(phone, app_url, alice["username"], alice["password"])

    # Alice types an entry...
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    choose_project(phone, "StoreZero")
    phone.get_by_label("Hours").fill("3.5")
    phone.get_by_label("Notes (optional)").fill("Typed before the session ended")
    # ...while her session ends: the refresh token is revoked, the access token expires.
    get_refresh_token_model().objects.filter(user__username="alice").delete()
    wait_until(
        lambda: (
            phone.context.request.get(f"{app_url}/api/me", headers={"Authorization": f"Bearer {tokens[-1]}"}).status
            == 401
        ),
        message="the access token never expired",
    )
    with phone.expect_response(lambda r: "/oauth/token" in r.url) as refused:
        phone.get_by_role("button", name="Save").click()
    assert refused.value.status == 400

    # Kept on the phone; the app says why; the tab bar stays.
    expect(phone.get_by_role("heading", level=1, name="Session ended")).to_be_visible()
    phone.clock.resume()  # nothing left to renew; a paused clock would also stop screenshots
    expect(phone.get_by_test_id("kept-on-phone")).to_have_text(
        "1 change is saved on this phone. It is sent once you have signed in again."
    )
    tabs = phone.get_by_role("navigation", name="Main")
    expect(tabs).to_be_visible()
    expect(tabs.get_by_role("link", name="Week")).to_have_attribute("aria-current", "page")
    assert phone.url.endswith(f"#/week/{today}")
    [item] = queue_items(phone)
    assert (item["hours"], item["notes"], item["kind"], item["state"]) == (
        3.5,
        "Typed before the session ended",
        "create",
        "waiting",
    )
    assert [post.status for post in posts] == [401]
    assert not Entry.objects.filter(owner__username="alice").exists()
    snap(phone, "21-session-ended")
    assert_accessible(phone, "the Session ended screen")

    # The other tabs say the same (no bare sign-in screen, nothing lost).
    tabs.get_by_role("link", name="Add time").click()
    expect(phone.get_by_role("heading", level=1, name="Session ended")).to_be_visible()
    expect(tabs).to_be_visible()
    phone.go_back()
    expect(phone.get_by_role("heading", level=1, name="Session ended")).to_be_visible()

    # Signing in again (the issuer forgot her too) brings her back to that week, and the entry is sent once.
    phone.context.clear_cookies()
    phone.get_by_role("button", name="Sign in again").click()
    phone.locator("input[name=username]").fill(alice["username"])
    phone.locator("input[name=password]").fill(alice["password"])
    phone.locator("input[name=password]").press("Enter")
    phone.wait_for_url(f"{app_url}/#/week/{today}")
    wait_for_week(phone)
    expect(phone.locator(".entry.queued")).to_have_count(0)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 3.5 h")
    wait_until(lambda: queue_items(phone) == [], message="the queue never emptied")
    entry = Entry.objects.get(owner__username="alice")
    assert (str(entry.uuid), float(entry.hours), entry.notes) == (item["uuid"], 3.5, "Typed before the session ended")
    created = [post for post in posts if post.status in (200, 201)]
    assert len(created) == 1 and json.loads(created[0].request.post_data or "{}")["uuid"] == item["uuid"]
    assert phone.js_errors == []
