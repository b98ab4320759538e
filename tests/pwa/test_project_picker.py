"""The project picker with 200 projects: recent ones first, type to filter, keyboard
and screen-reader use (combobox + listbox), rows a thumb can hit (44 px), 0 axe violations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from authn.models import User
from tests.pwa.a11y import assert_accessible
from tests.pwa.conftest import sign_in, user, wait_for_week
from timesheets.models import Entry, Project
from timesheets.services import entry_create

pytestmark = pytest.mark.browser

PROJECT_COUNT = 200


def test_picker_finds_one_of_200_projects_by_typing_and_keyboard(
    phone: Page, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    Project.objects.bulk_create(Project(name=f"Client {number:03d}") for number in range(PROJECT_COUNT - 2))
    assert Project.objects.filter(active=True).count() >= PROJECT_COUNT
    alice_user = User.objects.get(username="alice")
    today = dt.datetime.now(dt.UTC).date()
    # Alice logged time on two projects: those come first, the latest first.
    entry_create(
        owner=alice_user, date=today - dt.timedelta(days=3), project=Project.objects.get(name="Client 150"), hours=1
    )
    entry_create(
        owner=alice_user, date=today - dt.timedelta(days=1), project=Project.objects.get(name="Client 007"), hours=1
    )

    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    combobox = phone.get_by_role("combobox", name="Project")
    combobox.click()
    listbox = phone.get_by_role("listbox", name="Project choices")
    expect(listbox).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    recent = listbox.get_by_role("group", name="Recent").get_by_role("option")
    expect(recent).to_have_text(["Client 007", "Client 150"])
    expect(listbox.get_by_role("group", name="All projects").get_by_role("option")).to_have_count(
        Project.objects.filter(active=True).count() - 2
    )
    snap(phone, "20-project-picker")
    assert_accessible(phone, "the open project picker")

    # Rows a thumb can hit.
    heights = listbox.get_by_role("option").evaluate_all(
        "(rows) => rows.slice(0, 20).map((row) => row.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights

    # Type to filter; the count is announced; arrows move, Enter chooses.
    names = list(Project.objects.filter(active=True).values_list("name", flat=True))
    combobox.fill("client 1")
    options = listbox.get_by_role("option")
    matching = sum("client 1" in name.lower() for name in names)
    expect(options).to_have_count(matching)
    expect(options.first).to_have_text("Client 150")  # a recent one first
    expect(phone.locator("[data-picker-count]")).to_have_text(f"{matching} projects match.")
    combobox.fill("client 19")
    expect(options).to_have_count(sum("client 19" in name.lower() for name in names))
    combobox.press("ArrowDown")
    active = phone.locator(".picker-option.active")
    expect(active).to_have_text("Client 190")
    assert combobox.get_attribute("aria-activedescendant") == active.get_attribute("id")
    combobox.press("Enter")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value("Client 190")
    expect(combobox).to_have_attribute("aria-expanded", "false")

    # Escape keeps the choice; typing nonsense and leaving falls back to it.
    combobox.fill("zzz")
    expect(listbox.get_by_text("No project matches.")).to_be_visible()
    combobox.press("Escape")
    expect(combobox).to_have_value("Client 190")

    phone.get_by_label("Hours").fill("2")
    phone.get_by_role("button", name="Save").click()
    wait_for_week(phone)
    saved = Entry.objects.get(owner=alice_user, hours=2)
    assert saved.project.name == "Client 190"
    assert phone.js_errors == []


def test_a_choice_is_required_and_said_beside_the_picker(phone: Page, app_url: str, tenant: dict[str, Any]) -> None:
    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    phone.get_by_label("Hours").fill("1")
    phone.get_by_role("button", name="Save").click()
    combobox = phone.get_by_role("combobox", name="Project")
    expect(phone.locator("#entry-project-error")).to_have_text("Choose a project.")
    expect(combobox).to_have_attribute("aria-invalid", "true")
    expect(combobox).to_be_focused()
    # Tapping a row fixes it, and the error goes.
    phone.get_by_role("option", name="StoreZero", exact=True).click()
    expect(phone.locator("#entry-project-error")).to_have_text("")
    expect(combobox).not_to_have_attribute("aria-invalid", "true")
    assert_accessible(phone, "the entry form")
    assert phone.js_errors == []
