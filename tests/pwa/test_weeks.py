"""Weeks on the phone: submit after a summary, a submitted week is read-only, withdraw, a rejected week
shows the comment and goes again, and a manager approves a week in one tap (at 360 by 640)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from authn.models import User
from tests.pwa.conftest import sign_in, user, wait_for_week
from timesheets import services
from timesheets.models import Entry, EntryStatus, Project, Week, WeekState

pytestmark = pytest.mark.browser


def this_monday() -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    return today - dt.timedelta(days=today.weekday())


def log_week(owner: User, monday: dt.date, hours: tuple[int, ...]) -> list[Entry]:
    project = Project.objects.get(name="StoreZero")
    return [
        services.entry_create(owner=owner, date=monday + dt.timedelta(days=i), project=project, hours=h)[0]
        for i, h in enumerate(hours)
    ]


def test_employee_submits_the_week_after_a_summary_then_it_is_read_only(
    phone: Page, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    alice_user = User.objects.get(username="alice")
    monday = this_monday()
    log_week(alice_user, monday, (8, 7.5, 0.25))
    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    panel = phone.get_by_test_id("week-panel")
    expect(panel.locator(".badge")).to_have_text("Open")

    panel.get_by_role("button", name="Submit week").click()
    dialog = phone.get_by_role("dialog", name="Submit this week?")
    expect(dialog).to_contain_text("Total 15.75 h.")
    thursday, friday = monday + dt.timedelta(days=3), monday + dt.timedelta(days=4)
    expect(dialog).to_contain_text(f"Days without time: Thu {thursday.day} ")
    expect(dialog).to_contain_text(f", Fri {friday.day} ")
    snap(phone, "12-submit-week-summary")
    dialog.get_by_role("button", name="Submit week").click()

    expect(panel.locator(".badge")).to_have_text("Submitted")
    wait_for_week(phone)
    assert Week.objects.get(owner=alice_user, monday=monday).state == WeekState.SUBMITTED
    # Read-only: no adding, entries are not links to the form, and the panel says why.
    expect(phone.get_by_role("link", name="+ Add time", exact=True)).to_have_count(0)
    expect(phone.locator("section.day a[href^='#/entry/']")).to_have_count(0)
    expect(panel).to_contain_text("Its entries are locked")
    snap(phone, "13-submitted-week", around=panel)

    # Withdrawn, the week is open again.
    panel.get_by_role("button", name="Withdraw").click()
    expect(panel.locator(".badge")).to_have_text("Open")
    expect(phone.get_by_role("link", name="+ Add time", exact=True)).to_be_visible()
    assert Week.objects.get(owner=alice_user, monday=monday).state == WeekState.OPEN
    assert phone.js_errors == []


def test_a_rejected_week_shows_the_comment_and_is_submitted_again(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice_user = User.objects.get(username="alice")
    monday = this_monday()
    entries = log_week(alice_user, monday, (8, 2))
    week = services.week_submit(actor=alice_user, monday=monday)
    services.week_reject(week=week, actor=User.objects.get(username="carol"), comment="Tuesday is short")

    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    panel = phone.get_by_test_id("week-panel")
    expect(panel.locator(".badge")).to_have_text("Rejected")
    expect(panel).to_contain_text("Tuesday is short")

    # Fix Tuesday through the form, then submit again.
    phone.locator(f"li[data-uuid='{entries[1].uuid}'] a").click()
    phone.get_by_label("Hours").fill("8")
    phone.get_by_role("button", name="Save").click()
    wait_for_week(phone)
    panel.get_by_role("button", name="Submit week").click()
    phone.get_by_role("dialog").get_by_role("button", name="Submit week").click()
    expect(panel.locator(".badge")).to_have_text("Submitted")
    week.refresh_from_db()
    assert (week.state, week.comment) == (WeekState.SUBMITTED, "")
    assert phone.js_errors == []


def test_manager_approves_a_week_in_one_tap_from_the_phone(
    phone: Page, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    alice_user = User.objects.get(username="alice")
    monday = this_monday() - dt.timedelta(weeks=1)
    entries = log_week(alice_user, monday, (8, 7.5, 8, 8, 6))
    services.week_submit(actor=alice_user, monday=monday)
    single, _ = services.entry_create(
        owner=alice_user, date=this_monday(), project=Project.objects.get(name="StoreZero"), hours=3
    )

    carol = user(tenant, "carol")
    sign_in(phone, app_url, carol["username"], carol["password"])
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    card = phone.locator("[data-week-id]")
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading", level=2)).to_have_text("Alice Employee: 37.5 h")
    expect(card.locator(".day-totals li")).to_have_count(7)
    expect(card.locator(".day-totals li").nth(1)).to_contain_text("7.5 h")
    # The week's entries are inside its card (expand), not in the single-entry list.
    expect(card.locator(".week-entries li")).to_have_count(5)
    expect(card.locator(".week-entries")).to_be_hidden()
    card.get_by_text("5 entries").click()
    expect(card.locator(".week-entries")).to_be_visible()
    expect(phone.locator("[data-entry-id]")).to_have_count(1)
    expect(phone.locator(f"[data-entry-id='{single.pk}']")).to_be_visible()
    # Usable at 360 px: nothing sticks out sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    snap(phone, "14-approve-week", around=card)

    # Rejecting says why first; approving is one tap.
    card.get_by_role("button", name="Reject week").click()
    expect(card.locator(".field-error")).to_have_text("Say why the week is rejected.")
    card.get_by_role("button", name="Approve week").click()
    expect(card).to_have_count(0)
    expect(phone.get_by_role("paragraph").filter(has_text="waiting for a decision")).to_have_text(
        "1 waiting for a decision"
    )
    week = Week.objects.get(owner=alice_user, monday=monday)
    assert (week.state, week.decided_by.username) == (WeekState.APPROVED, "carol")
    assert {e.status for e in Entry.objects.filter(pk__in=[e.pk for e in entries])} == {EntryStatus.APPROVED}
    assert phone.js_errors == []
