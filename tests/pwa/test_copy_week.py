"""Copy last week into this week from the week screen: the person chooses what happens to days already
holding time, and the app says in words what was created and what was skipped and why; repeating it
creates nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from authn.models import User
from tests.pwa.conftest import sign_in, user, wait_for_week
from timesheets import services
from timesheets.models import Entry, Project

pytestmark = pytest.mark.browser


def this_monday() -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    return today - dt.timedelta(days=today.weekday())


def test_copy_last_week_asks_about_days_with_time_and_says_what_was_skipped(
    phone: Page, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    alice, carol = User.objects.get(username="alice"), User.objects.get(username="carol")
    store, dashboard = Project.objects.get(name="StoreZero"), Project.objects.get(name="Auth0 Dashboard")
    monday, last_monday = this_monday(), this_monday() - dt.timedelta(days=7)
    services.entry_create(owner=alice, date=last_monday, project=store, hours=8, notes="Checkout")
    services.entry_create(owner=alice, date=last_monday + dt.timedelta(days=1), project=dashboard, hours=4)
    rejected = services.entry_create(owner=alice, date=last_monday + dt.timedelta(days=2), project=store, hours=3)[0]
    services.entry_reject(entry=rejected, actor=carol, comment="Not ours")
    services.entry_create(owner=alice, date=monday, project=store, hours=2)  # this Monday already holds time

    person = user(tenant, "alice")
    sign_in(phone, app_url, person["username"], person["password"])
    phone.get_by_role("button", name="Copy last week").click()
    dialog = phone.get_by_role("dialog", name="Copy last week?")
    expect(dialog).to_contain_text("rejected ones are left out")
    expect(dialog).to_contain_text(f"Mon {monday.day} ")
    expect(dialog).to_contain_text("already has time")
    dialog.get_by_role("button", name="Leave those days alone").click()

    result = phone.get_by_test_id("copy-result")
    expect(result).to_contain_text("1 entry was created (4 h).")
    expect(result).to_contain_text("Auth0 Dashboard, 4 h")
    expect(result).to_contain_text("1 entry was not copied:")
    expect(result).to_contain_text("not copied because that day already had time.")
    wait_for_week(phone)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 6 h")
    snap(phone, "16-copy-last-week", around=result)
    this_week = Entry.objects.filter(owner=alice, date__gte=monday)
    assert sorted((e.date, float(e.hours)) for e in this_week) == [(monday, 2.0), (monday + dt.timedelta(days=1), 4.0)]

    # Again, adding to days with time: Monday's entry now comes along, Tuesday's is not copied twice.
    phone.get_by_role("button", name="Copy last week").click()
    phone.get_by_role("dialog", name="Copy last week?").get_by_role("button", name="Add to them too").click()
    expect(result).to_contain_text("1 entry was created (8 h).")
    expect(result).to_contain_text("StoreZero, 8 h")
    expect(result).to_contain_text("not copied because it was copied before.")
    wait_for_week(phone)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 14 h")
    assert this_week.all().count() == 3  # a fresh query (the first check filled this queryset's cache)
    assert not this_week.filter(hours=3).exists()  # the rejected entry never came along

    result.get_by_role("button", name="Done").click()
    expect(phone.get_by_test_id("copy-result")).to_have_count(0)
    assert phone.js_errors == []
