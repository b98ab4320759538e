"""The entry screen of issue 11: the manager's rejection comment on the rejected entry,
the server's date limits beside the date field (enforced, and "are you sure?" for old
dates), Repeat, and the server's refusals in people's words. 0 axe violations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from authn.models import User
from tests.pwa.a11y import assert_accessible
from tests.pwa.conftest import sign_in, user, wait_for_week
from tests.pwa.test_entries import add_entry, choose_project
from timesheets.models import Entry, EntryStatus, Project
from timesheets.services import entry_create, entry_decide

pytestmark = pytest.mark.browser

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def open_entry(page: Page, entry: Entry) -> None:
    page.goto(f"{page.url.split('#')[0]}#/entry/{entry.pk}")
    expect(page.get_by_role("heading", level=1, name="Edit entry")).to_be_visible()


def test_rejected_entry_shows_the_managers_comment_and_repeat_makes_a_new_one(
    phone: Page, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    alice_user = User.objects.get(username="alice")
    carol_user = User.objects.get(username="carol")
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    entry, _ = entry_create(
        owner=alice_user, date=yesterday, project=Project.objects.get(name="StoreZero"), hours=6.5, notes="Release prep"
    )
    entry = entry_decide(entry=entry, actor=carol_user, approve=False, comment="Booked twice: see Tuesday")
    assert entry.status == EntryStatus.REJECTED

    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    open_entry(phone, entry)
    rejection = phone.get_by_test_id("rejection")
    expect(rejection).to_contain_text("rejected this entry")
    expect(rejection.locator("blockquote")).to_have_text("Booked twice: see Tuesday")
    expect(rejection).to_contain_text("Change the entry and save it to send it again.")
    snap(phone, "22-rejected-entry", around=rejection)
    assert_accessible(phone, "a rejected entry's edit screen")

    # Repeat: a new entry with the same project, hours and notes, dated today.
    phone.get_by_role("link", name=re.compile("^Repeat")).click()
    expect(phone.get_by_role("heading", level=1, name="Add time")).to_be_visible()
    expect(phone.get_by_test_id("repeat-of")).to_contain_text("Repeating StoreZero, 6.5 h")
    expect(phone.get_by_test_id("repeat-of")).not_to_contain_text(yesterday.isoformat())
    today = dt.datetime.now(dt.UTC).date()
    expect(phone.get_by_label("Date")).to_have_value(today.isoformat())
    expect(phone.get_by_role("combobox", name="Project")).to_have_value("StoreZero")
    expect(phone.get_by_label("Hours")).to_have_value("6.5")
    expect(phone.get_by_label("Notes (optional)")).to_have_value("Release prep")
    assert_accessible(phone, "a repeated entry's form")
    phone.get_by_role("button", name="Save").click()
    wait_for_week(phone)
    repeated = Entry.objects.exclude(pk=entry.pk).get(owner=alice_user)
    assert (repeated.date, float(repeated.hours), repeated.notes, repeated.project.name) == (
        today,
        6.5,
        "Release prep",
        "StoreZero",
    )
    assert repeated.uuid != entry.uuid
    assert phone.js_errors == []


def test_date_limits_are_shown_enforced_and_old_dates_confirmed(
    phone: Page, app_url: str, tenant: dict[str, Any], settings, snap: Any
) -> None:
    settings.ENTRY_MAX_DAYS_AHEAD = 7
    settings.ENTRY_MAX_DAYS_BACK = 90
    settings.PWA_CONFIRM_DAYS_BACK = 28
    today = dt.datetime.now(dt.UTC).date()
    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    date = phone.get_by_label("Date")
    latest, earliest = today + dt.timedelta(days=7), today - dt.timedelta(days=90)
    expect(date).to_have_attribute("max", latest.isoformat())
    expect(date).to_have_attribute("min", earliest.isoformat())
    hint = phone.locator("#entry-date-hint")
    expect(hint).to_contain_text("From ")
    expect(hint).to_contain_text(str(latest.year))
    assert not ISO_DATE.search(hint.inner_text()), hint.inner_text()
    expect(date).to_have_attribute("aria-describedby", re.compile("entry-date-hint"))

    # Beyond the limit: said beside the date, nothing sent.
    choose_project(phone, "StoreZero")
    phone.get_by_label("Hours").fill("1")
    date.fill((today + dt.timedelta(days=8)).isoformat())
    phone.get_by_role("button", name="Save").click()
    error = phone.locator("#entry-date-error")
    expect(error).to_contain_text("Time can be logged at most 7 days ahead (up to ")
    assert not ISO_DATE.search(error.inner_text())
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_be_focused()
    snap(phone, "23-date-limit")
    assert_accessible(phone, "the entry form with a date error")
    date.fill((today - dt.timedelta(days=91)).isoformat())
    phone.get_by_role("button", name="Save").click()
    expect(error).to_contain_text("Time can be logged at most 90 days back (from ")
    assert not Entry.objects.exists()

    # Older than confirm_days_back: allowed after an "are you sure?".
    old = today - dt.timedelta(days=40)
    date.fill(old.isoformat())
    phone.get_by_role("button", name="Save").click()
    dialog = phone.get_by_role("dialog", name="Log time this far back?")
    expect(dialog).to_contain_text("more than 28 days ago")
    assert_accessible(phone, "the old-date confirmation")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(date).to_be_focused()
    assert not Entry.objects.exists()
    phone.get_by_role("button", name="Save").click()
    phone.get_by_role("dialog").get_by_role("button", name="Yes, save").click()
    wait_for_week(phone)
    assert Entry.objects.get(owner__username="alice").date == old

    # A recent date asks nothing.
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Week").click()
    wait_for_week(phone)
    add_entry(phone, hours="2")
    wait_for_week(phone)
    assert Entry.objects.filter(owner__username="alice").count() == 2
    assert phone.js_errors == []


def test_server_refusals_read_as_sentences_with_the_apps_dates(
    phone: Page, app_url: str, tenant: dict[str, Any], settings
) -> None:
    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    # The server's rule tightens after the app loaded its settings: the server's own words come back.
    settings.ENTRY_MAX_DAYS_AHEAD = 0
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    phone.get_by_label("Date").fill(tomorrow.isoformat())
    choose_project(phone, "StoreZero")
    phone.get_by_label("Hours").fill("1")
    phone.get_by_role("button", name="Save").click()
    date_error = phone.locator("#entry-date-error")
    expect(date_error).to_contain_text("Time can be logged at most 0 days ahead (up to ")
    assert not ISO_DATE.search(date_error.inner_text()), date_error.inner_text()
    form_error = phone.locator("#form-error")
    expect(form_error).to_have_text("Please correct the marked fields.")
    expect(phone.get_by_text("Invalid input")).to_have_count(0)
    assert_accessible(phone, "the entry form with a server refusal")
    assert not Entry.objects.exists()
    assert phone.js_errors == []
