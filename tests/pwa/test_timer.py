"""The running timer on the week screen: started on one phone it ticks there and shows on another (GET
/api/timer), stopping makes an entry rounded to the quarter hour; started, stopped and discarded offline,
the phone's own times are sent when back online, each exactly once; Discard asks first."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from unittest.mock import ANY

import pytest
from playwright.sync_api import Page, Request, Response, expect

from authn.models import User
from tests.pwa.conftest import sign_in, user, wait_for_service_worker, wait_for_week
from tests.pwa.test_entries import choose_project
from timesheets import services
from timesheets.models import Entry, Project, monday_of

pytestmark = pytest.mark.browser


def watch_api(page: Page) -> dict[str, Any]:
    """The API calls the server answered (method, path, body) and the last bearer token the page sent
    (to act as 'another device'). Attempts that never reached the server (offline) are not calls."""
    seen: dict[str, Any] = {"calls": [], "token": None}

    def token(request: Request) -> None:
        authorization = request.headers.get("authorization", "")
        if "/api/" in request.url and authorization.startswith("Bearer "):
            seen["token"] = authorization.removeprefix("Bearer ")

    def answered(response: Response) -> None:
        request = response.request
        if "/api/" not in request.url:
            return
        body = json.loads(request.post_data) if request.post_data else None
        seen["calls"].append((request.method, request.url.split("/api", 1)[1], body))

    page.on("request", token)
    page.on("response", answered)
    return seen


def timer_calls(seen: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [call for call in seen["calls"] if call[1].startswith("/timer") and call[0] != "GET"]


def show_week_of(page: Page, app_url: str, day: dt.date) -> None:
    """The week screen (showing the current week) moved to `day`'s week if that is another one.

    An entry is dated the day its timer started: one started 70 minutes before, in the first 70
    minutes of a Monday (UTC, the browser's zone here), is in the week before.
    """
    monday = monday_of(day)
    if monday != monday_of(dt.datetime.now(dt.UTC).date()):
        page.goto(f"{app_url}/#/week/{monday.isoformat()}")
        wait_for_week(page)
        expect(page).to_have_url(re.compile(re.escape(f"#/week/{monday.isoformat()}") + "$"))


def start_timer(page: Page, notes: str = "") -> None:
    page.get_by_role("link", name="Start a timer").click()
    expect(page.get_by_role("heading", level=1, name="Start a timer")).to_be_visible()
    choose_project(page, "StoreZero")
    if notes:
        page.get_by_label("Notes (optional)").fill(notes)
    page.get_by_role("button", name="Start timer").click()
    expect(page.get_by_test_id("timer-running")).to_be_visible()


def test_a_timer_started_on_one_phone_ticks_shows_on_another_and_stops_there_as_a_rounded_entry(
    new_phone: Any, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    alice = user(tenant, "alice")
    first = new_phone()
    sign_in(first, app_url, alice["username"], alice["password"])
    start_timer(first, notes="Checkout flow")
    running = first.get_by_test_id("timer-running")
    expect(running).to_contain_text("StoreZero · Checkout flow")
    expect(running).to_contain_text("rounded to the nearest quarter hour")
    # The elapsed time counts up on its own.
    elapsed = first.get_by_test_id("timer-elapsed")
    expect(elapsed).to_have_text(re.compile(r"0:00:0\d"))
    before = elapsed.text_content()
    expect(elapsed).not_to_have_text(before or "")
    uuid = running.get_attribute("data-uuid")

    # The other phone loads the timer from the server.
    second = new_phone()
    seen = watch_api(second)
    sign_in(second, app_url, alice["username"], alice["password"])
    other = second.get_by_test_id("timer-running")
    expect(other).to_contain_text("StoreZero · Checkout flow")
    assert other.get_attribute("data-uuid") == uuid

    # It ran for 70 minutes: the same timer (same uuid) with an earlier start, as a third device could send it.
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=70)).isoformat(timespec="seconds")
    project = json.loads(second.get_by_test_id("timer-running").get_attribute("data-project") or "0")
    answer = second.context.request.put(
        f"{app_url}/api/timer",
        headers={"Authorization": f"Bearer {seen['token']}"},
        data={"uuid": uuid, "project": project, "notes": "Checkout flow", "started_at": started},
    )
    assert answer.status == 200, answer.text()
    second.reload()
    wait_for_week(second)
    expect(second.get_by_test_id("timer-elapsed")).to_have_text(re.compile(r"^1:10:\d\d$"))
    snap(second, "15-timer-running", around=second.get_by_test_id("timer-panel"))

    second.get_by_test_id("timer-running").get_by_role("button", name="Stop").click()
    stopped = second.get_by_test_id("timer-stopped")
    expect(stopped).to_contain_text("1.25 h logged on StoreZero")
    expect(stopped).to_contain_text("rounded to the nearest quarter hour")
    entry = Entry.objects.get(uuid=uuid)
    assert (entry.hours, entry.notes, entry.owner.username) == (1.25, "Checkout flow", "alice")
    wait_for_week(second)
    show_week_of(second, app_url, entry.date)
    expect(second.get_by_test_id("week-total")).to_have_text("Week total 1.25 h")

    # Back on the first phone, the timer is gone and the entry is there.
    first.reload()
    wait_for_week(first)
    expect(first.get_by_test_id("timer-running")).to_have_count(0)
    show_week_of(first, app_url, entry.date)
    expect(first.get_by_test_id("week-total")).to_have_text("Week total 1.25 h")
    assert first.js_errors == [] and second.js_errors == []


def test_started_and_stopped_offline_the_phones_times_are_sent_once(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice = user(tenant, "alice")
    seen = watch_api(phone)
    sign_in(phone, app_url, alice["username"], alice["password"])
    wait_for_service_worker(phone)

    phone.context.set_offline(True)
    start_timer(phone, notes="On the train")
    uuid = phone.get_by_test_id("timer-running").get_attribute("data-uuid")
    phone.wait_for_timeout(1500)
    # Closed and opened again offline: the timer is still there, still counting.
    phone.reload()
    expect(phone.get_by_test_id("timer-running")).to_be_visible()
    assert phone.get_by_test_id("timer-running").get_attribute("data-uuid") == uuid
    expect(phone.get_by_test_id("timer-elapsed")).not_to_have_text("0:00:00")
    phone.get_by_test_id("timer-running").get_by_role("button", name="Stop").click()
    expect(phone.get_by_test_id("timer-stopped")).to_contain_text("the entry is made when you are back online")
    assert timer_calls(seen) == []  # nothing reached the server
    assert not Entry.objects.filter(uuid=uuid).exists()
    went_online = dt.datetime.now(dt.UTC)

    phone.context.set_offline(False)
    expect(phone.get_by_test_id("timer-stopped")).to_contain_text("0.25 h logged on StoreZero")
    entry = Entry.objects.get(uuid=uuid)
    assert (float(entry.hours), entry.notes) == (0.25, "On the train")
    phone.reload()
    wait_for_week(phone)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 0.25 h")

    # One start and one stop went out, in that order, with the times taken on the phone before it was online.
    sent = [(method, path.split("?")[0]) for method, path, _ in timer_calls(seen)]
    assert sent == [("PUT", "/timer"), ("POST", "/timer/stop")], seen["calls"]
    (_, _, start_body), (_, _, stop_body) = timer_calls(seen)
    assert start_body["uuid"] == stop_body["uuid"] == uuid
    assert (
        dt.datetime.fromisoformat(start_body["started_at"])
        < dt.datetime.fromisoformat(stop_body["stopped_at"])
        < went_online
    )
    assert Entry.objects.filter(uuid=uuid).count() == 1
    assert phone.js_errors == []


def test_discard_asks_first_and_an_offline_discard_reaches_the_server_with_its_uuid(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice = user(tenant, "alice")
    seen = watch_api(phone)
    sign_in(phone, app_url, alice["username"], alice["password"])
    wait_for_service_worker(phone)
    start_timer(phone)
    running = phone.get_by_test_id("timer-running")
    uuid = running.get_attribute("data-uuid")

    running.get_by_role("button", name="Discard").click()
    dialog = phone.get_by_role("dialog", name="Discard the timer?")
    expect(dialog).to_contain_text("is not logged")
    dialog.get_by_role("button", name="Cancel").click()
    expect(running).to_be_visible()

    phone.context.set_offline(True)
    running.get_by_role("button", name="Discard").click()
    phone.get_by_role("dialog", name="Discard the timer?").get_by_role("button", name="Discard timer").click()
    expect(phone.get_by_test_id("timer-running")).to_have_count(0)
    expect(phone.get_by_role("link", name="Start a timer")).to_be_visible()
    assert not [call for call in timer_calls(seen) if call[0] == "DELETE"]

    # Back online, the "online" event sends the discard.
    with phone.expect_response(lambda response: "/api/timer" in response.url and response.request.method == "DELETE"):
        phone.context.set_offline(False)
    assert [call for call in timer_calls(seen) if call[0] == "DELETE"] == [("DELETE", f"/timer?uuid={uuid}", None)]
    # The server's timer is gone too, and no entry was made.
    answer = phone.context.request.get(f"{app_url}/api/timer", headers={"Authorization": f"Bearer {seen['token']}"})
    assert answer.status == 204
    assert not Entry.objects.filter(uuid=uuid).exists()
    assert phone.js_errors == []


def test_a_stop_the_server_refuses_keeps_the_timer_running_with_the_reason_and_it_can_be_discarded(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice_user = User.objects.get(username="alice")
    today = dt.datetime.now(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    services.entry_create(owner=alice_user, date=today, project=Project.objects.get(name="StoreZero"), hours=1)
    alice = user(tenant, "alice")
    seen = watch_api(phone)
    sign_in(phone, app_url, alice["username"], alice["password"])
    start_timer(phone)
    uuid = phone.get_by_test_id("timer-running").get_attribute("data-uuid")
    # Meanwhile the week is submitted (say from another phone): its entries are locked, so the stop is refused.
    services.week_submit(actor=alice_user, monday=monday)

    phone.get_by_test_id("timer-running").get_by_role("button", name="Stop").click()
    problem = phone.get_by_test_id("timer-problem")
    expect(problem).to_contain_text("The timer could not be stopped:")
    expect(problem).to_contain_text("It is still running; you can discard it.")
    running = phone.get_by_test_id("timer-running")
    expect(running).to_be_visible()
    assert running.get_attribute("data-uuid") == uuid
    assert not Entry.objects.filter(uuid=uuid).exists()
    assert ("POST", "/timer/stop", {"uuid": uuid, "stopped_at": ANY}) in [
        (method, path, body) for method, path, body in seen["calls"]
    ]

    running.get_by_role("button", name="Discard").click()
    phone.get_by_role("dialog", name="Discard the timer?").get_by_role("button", name="Discard timer").click()
    expect(phone.get_by_test_id("timer-running")).to_have_count(0)
    expect(phone.get_by_test_id("timer-problem")).to_have_count(0)
    answer = phone.context.request.get(f"{app_url}/api/timer", headers={"Authorization": f"Bearer {seen['token']}"})
    assert answer.status == 204
    assert phone.js_errors == []
