"""Offline: the shell and the last-seen week load without a network; entries made
offline wait in IndexedDB and reach the server exactly once; refusals stay visible."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from authn.models import User
from tests.pwa.conftest import sign_in, user, wait_for_service_worker, wait_for_week
from tests.pwa.test_entries import add_entry
from timesheets.models import Entry, Project
from timesheets.services import entry_create

pytestmark = pytest.mark.browser


def go_offline_and_reload(page: Page) -> None:
    wait_for_service_worker(page)
    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_text("Offline", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Week")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("Offline: showing this week as saved")


def test_entries_made_offline_sync_exactly_once(phone: Page, app_url: str, tenant: dict[str, Any], snap: Any) -> None:
    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    go_offline_and_reload(phone)
    snap(phone, "06-offline-week")

    add_entry(phone, hours="2", notes="On the train")
    expect(phone.get_by_role("status")).to_contain_text("will sync when you are back online")
    add_entry(phone, hours="3.25", project="Auth0 Dashboard")
    waiting = phone.locator(".entry.queued")
    expect(waiting).to_have_count(2)
    expect(waiting.get_by_text("Waiting to sync")).to_have_count(2)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 5.25 h")
    snap(phone, "07-waiting-to-sync", around=waiting.first)
    assert Entry.objects.count() == 0
    uuids = waiting.evaluate_all("(items) => items.map((item) => item.dataset.uuid)")

    # Back online on a poor network: the first entry reaches the server but its
    # answer is lost, so the app cannot know and must send it again.
    posted: list[str] = []
    dropped: list[str] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posted.append(json.loads(route.request.post_data or "{}")["uuid"])
        if dropped:
            route.continue_()
            return
        route.fetch()  # delivered to the server...
        dropped.append(posted[-1])
        route.abort("connectionreset")  # ...but the phone never hears back

    phone.route("**/api/timesheets", lose_first_answer)
    with phone.expect_event("requestfailed", lambda request: request.method == "POST"):
        phone.context.set_offline(False)
    assert dropped == [uuids[0]]
    assert Entry.objects.filter(uuid=uuids[0]).count() == 1
    expect(waiting).to_have_count(2)  # still waiting: the phone did not get the answer

    # The queue replays on start: the same uuid again, and the server keeps one entry.
    phone.reload()
    wait_for_week(phone)
    expect(phone.locator(".entry.queued")).to_have_count(0)
    synced = phone.locator(".entry:not(.queued)")
    expect(synced).to_have_count(2)
    expect(synced.get_by_text("Pending")).to_have_count(2)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 5.25 h")
    assert posted.count(uuids[0]) == 2
    entries = Entry.objects.filter(owner__username="alice")
    assert sorted(str(entry.uuid) for entry in entries) == sorted(uuids)
    assert sorted(float(entry.hours) for entry in entries) == [2.0, 3.25]
    snap(phone, "08-synced", around=synced.first)
    assert phone.js_errors == []


def test_entry_refused_by_the_server_stays_visible_with_the_reason(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    go_offline_and_reload(phone)
    add_entry(phone, hours="20")
    expect(phone.get_by_text("Waiting to sync")).to_be_visible()
    # Meanwhile, from another device, the day filled up.
    today = dt.datetime.now(dt.UTC).date()
    entry_create(owner=User.objects.get(username="alice"), date=today, project=Project.objects.first(), hours=8)

    phone.context.set_offline(False)
    refused = phone.locator(".entry.queued.refused")
    expect(refused.get_by_text("Not synced")).to_be_visible()
    expect(refused).to_contain_text("at most 24 hours can be logged per day")
    assert Entry.objects.filter(owner__username="alice").count() == 1

    # Still there after a restart, until fixed or discarded.
    phone.reload()
    expect(refused).to_contain_text("at most 24 hours can be logged per day")
    refused.get_by_role("link", name="Fix").click()
    expect(phone.locator("#entry-hours-error")).to_contain_text("at most 24 hours")
    phone.get_by_label("Hours").fill("4")
    phone.get_by_role("button", name="Save").click()
    wait_for_week(phone)
    expect(phone.locator(".entry.queued")).to_have_count(0)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 12 h")
    assert sorted(float(e.hours) for e in Entry.objects.filter(owner__username="alice")) == [4.0, 8.0]
