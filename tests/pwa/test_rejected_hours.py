"""Bug 2, the week part: rejected hours are not in the week's total but beside it ("8 h · 4 h rejected"),
and a rejected entry is marked with the manager's comment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from authn.models import User
from tests.pwa.conftest import sign_in, user
from timesheets import services
from timesheets.models import Project

pytestmark = pytest.mark.browser


def test_the_week_total_keeps_rejected_hours_apart_and_marks_the_rejected_entry(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice, carol = User.objects.get(username="alice"), User.objects.get(username="carol")
    today = dt.datetime.now(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    project = Project.objects.get(name="StoreZero")
    services.entry_create(owner=alice, date=monday, project=project, hours=8)
    refused = services.entry_create(owner=alice, date=monday, project=project, hours=4, notes="Workshop")[0]
    services.entry_reject(entry=refused, actor=carol, comment="The workshop was cancelled")

    person = user(tenant, "alice")
    sign_in(phone, app_url, person["username"], person["password"])
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 8 h · 4 h rejected")
    day = phone.locator(f"section[data-date='{monday.isoformat()}']")
    expect(day.get_by_test_id("day-total")).to_have_text("8 h · 4 h rejected")
    row = day.locator("li.entry.rejected")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rejected")
    expect(row).to_contain_text("Rejected: The workshop was cancelled")
    # The comment is part of the row's accessible name, so a screen reader hears it too.
    expect(row.get_by_role("link")).to_have_accessible_name(
        "StoreZero 4 h Rejected Workshop Rejected: The workshop was cancelled"
    )
    # Marked at the edge in the "bad" colour, not by colour of text alone.
    assert row.evaluate("(el) => getComputedStyle(el).boxShadow") != "none"
    assert phone.js_errors == []
