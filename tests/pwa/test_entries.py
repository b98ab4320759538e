"""An employee signs in through the real login page and logs, edits and deletes time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.pwa.conftest import sign_in, user, wait_for_week
from timesheets.models import Entry, EntrySource

pytestmark = pytest.mark.browser


def choose_project(page: Page, project: str) -> None:
    """Type into the project picker and tap the matching row."""
    page.get_by_role("combobox", name="Project").fill(project)
    page.get_by_role("option", name=project, exact=True).click()


def add_entry(page: Page, *, hours: str, project: str = "StoreZero", notes: str = "") -> None:
    page.get_by_role("link", name="+ Add time", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Add time")).to_be_visible()
    choose_project(page, project)
    page.get_by_label("Hours").fill(hours)
    if notes:
        page.get_by_label("Notes (optional)").fill(notes)
    page.get_by_role("button", name="Save").click()


def test_employee_logs_edits_and_deletes_time_and_totals_follow(
    phone: Page, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    alice = user(tenant, "alice")
    today = dt.datetime.now(dt.UTC).date()
    sign_in(phone, app_url, alice["username"], alice["password"])
    week_total = phone.get_by_test_id("week-total")
    expect(week_total).to_have_text("Week total 0 h")

    # The form checks input before sending, and says what is wrong beside the field.
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    expect(phone.get_by_label("Date")).to_have_value(today.isoformat())
    phone.get_by_label("Hours").fill("7.3")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("#entry-project-error")).to_have_text("Choose a project.")
    expect(phone.locator("#entry-hours-error")).to_have_text("Use steps of 0.25 hours (e.g. 7.25, 7.5, 7.75).")
    expect(phone.get_by_label("Hours")).to_have_attribute("aria-invalid", "true")
    snap(phone, "03-entry-form-errors")
    phone.get_by_role("link", name="Cancel").click()

    add_entry(phone, hours="7.5", notes="Checkout redesign")
    wait_for_week(phone)
    expect(week_total).to_have_text("Week total 7.5 h")
    today_section = phone.locator(f"section[data-date='{today.isoformat()}']")
    expect(today_section.get_by_test_id("day-total")).to_have_text("7.5 h")
    expect(today_section.get_by_text("Pending")).to_be_visible()
    snap(phone, "02-week", around=today_section)
    entry = Entry.objects.get(owner__username="alice")
    assert (entry.date, entry.hours, entry.notes, entry.source) == (today, 7.5, "Checkout redesign", EntrySource.PWA)

    # The server's rule (at most 24 h a day) comes back beside the hours field.
    add_entry(phone, hours="20")
    expect(phone.locator("#entry-hours-error")).to_contain_text("at most 24 hours can be logged per day")
    assert Entry.objects.filter(owner__username="alice").count() == 1
    phone.get_by_role("link", name="Cancel").click()

    # Edit: the form opens with the entry's values.
    today_section.get_by_role("link", name="StoreZero").click()
    expect(phone.get_by_role("heading", level=1, name="Edit entry")).to_be_visible()
    expect(phone.get_by_label("Hours")).to_have_value("7.5")
    snap(phone, "04-edit-entry")
    phone.get_by_label("Hours").fill("6")
    phone.get_by_role("button", name="Save").click()
    wait_for_week(phone)
    expect(week_total).to_have_text("Week total 6 h")
    entry.refresh_from_db()
    assert entry.hours == 6

    # Delete, after a confirmation.
    today_section.get_by_role("link", name="StoreZero").click()
    phone.get_by_role("button", name="Delete entry").click()
    dialog = phone.get_by_role("dialog", name="Delete this entry?")
    expect(dialog).to_be_visible()
    snap(phone, "05-delete-confirmation")
    dialog.get_by_role("button", name="Cancel").click()
    assert Entry.objects.filter(pk=entry.pk).exists()
    phone.get_by_role("button", name="Delete entry").click()
    phone.get_by_role("dialog").get_by_role("button", name="Delete").click()
    wait_for_week(phone)
    expect(week_total).to_have_text("Week total 0 h")
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert phone.js_errors == []


def test_week_navigation_shows_other_weeks(phone: Page, app_url: str, tenant: dict[str, Any]) -> None:
    from authn.models import User
    from timesheets.models import Project
    from timesheets.services import entry_create

    alice = user(tenant, "alice")
    last_week = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=7)
    entry_create(owner=User.objects.get(username="alice"), date=last_week, project=Project.objects.first(), hours=3)
    sign_in(phone, app_url, alice["username"], alice["password"])
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 0 h")
    phone.get_by_role("link", name="Previous week").click()
    wait_for_week(phone)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 3 h")
    expect(phone.locator(f"section[data-date='{last_week.isoformat()}']").get_by_test_id("day-total")).to_have_text(
        "3 h"
    )
    phone.get_by_role("link", name="Next week").click()
    wait_for_week(phone)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 0 h")
