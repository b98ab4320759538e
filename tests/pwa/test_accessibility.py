"""axe-core finds nothing on any screen of the phone app, in the light and the dark scheme: sign-in (the
app's and the issuer's login page), week (pending, approved and rejected entries), entry form with its
errors, start timer, running timer, copy result, approvals and profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from authn.models import User
from tests.pwa.a11y import axe_violations
from tests.pwa.conftest import sign_in, user, wait_for_week
from tests.pwa.test_entries import choose_project
from timesheets import services
from timesheets.models import Project

pytestmark = pytest.mark.browser


def this_monday() -> dt.date:
    today = dt.datetime.now(dt.UTC).date()
    return today - dt.timedelta(days=today.weekday())


def alice_week_with_decisions() -> None:
    """Alice's week: a pending, an approved and a rejected entry (carol decided them)."""
    alice, carol = User.objects.get(username="alice"), User.objects.get(username="carol")
    project = Project.objects.get(name="StoreZero")
    monday = this_monday()
    entries = [
        services.entry_create(
            owner=alice, date=monday + dt.timedelta(days=day), project=project, hours=hours, notes=notes
        )[0]
        for day, hours, notes in ((0, 8, "Checkout"), (1, 4, "Review"), (2, 3, ""))
    ]
    services.entry_approve(entry=entries[0], actor=carol)
    services.entry_reject(entry=entries[1], actor=carol, comment="Booked twice")


def signed_in(page: Page, app_url: str, tenant: dict[str, Any], username: str = "alice") -> None:
    person = user(tenant, username)
    sign_in(page, app_url, person["username"], person["password"])


def sign_in_screen(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    page.goto(f"{app_url}/")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def issuer_sign_in_page(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    sign_in_screen(page, app_url, tenant)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("input[name=username]")).to_be_visible()


def week_screen(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    alice_week_with_decisions()
    signed_in(page, app_url, tenant)
    expect(page.get_by_test_id("rejected-hours")).to_be_visible()


def entry_form(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    signed_in(page, app_url, tenant)
    page.get_by_role("link", name="+ Add time", exact=True).click()
    page.get_by_role("button", name="Save").click()  # the form's own errors show beside the fields
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()


def start_timer_form(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    signed_in(page, app_url, tenant)
    page.get_by_role("link", name="Start a timer").click()
    expect(page.get_by_role("heading", level=1, name="Start a timer")).to_be_visible()


def running_timer(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    start_timer_form(page, app_url, tenant)
    choose_project(page, "StoreZero")
    page.get_by_role("button", name="Start timer").click()
    expect(page.get_by_test_id("timer-running")).to_be_visible()


def copy_result(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    alice = User.objects.get(username="alice")
    project = Project.objects.get(name="StoreZero")
    services.entry_create(owner=alice, date=this_monday() - dt.timedelta(days=7), project=project, hours=6)
    services.entry_create(owner=alice, date=this_monday(), project=project, hours=2)
    signed_in(page, app_url, tenant)
    page.get_by_role("button", name="Copy last week").click()
    page.get_by_role("dialog").get_by_role("button", name="Leave those days alone").click()
    expect(page.get_by_test_id("copy-result")).to_be_visible()
    wait_for_week(page)


def approvals_screen(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    alice = User.objects.get(username="alice")
    monday = this_monday()
    for day in range(2):
        services.entry_create(
            owner=alice, date=monday + dt.timedelta(days=day), project=Project.objects.get(name="StoreZero"), hours=7
        )
    signed_in(page, app_url, tenant, "carol")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    expect(page.locator(".approval").first).to_be_visible()
    page.locator(".approval").first.get_by_role("button", name="Reject").click()  # the comment's error state too
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()


def profile_screen(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    signed_in(page, app_url, tenant)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("list", name="Granted scopes")).to_be_visible()


SCREENS: dict[str, Callable[[Page, str, dict[str, Any]], None]] = {
    "sign-in": sign_in_screen,
    "issuer-sign-in": issuer_sign_in_page,
    "week": week_screen,
    "entry": entry_form,
    "start-timer": start_timer_form,
    "timer-running": running_timer,
    "copy-result": copy_result,
    "approvals": approvals_screen,
    "profile": profile_screen,
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_screen_passes_axe_in_light_and_dark(
    phone: Page, app_url: str, tenant: dict[str, Any], screen: str
) -> None:
    SCREENS[screen](phone, app_url, tenant)
    for scheme in ("light", "dark"):
        phone.emulate_media(color_scheme=scheme)
        # The scheme really switched (the check below would otherwise test one scheme twice).
        assert phone.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
        violations = axe_violations(phone)
        assert violations == [], f"{screen} ({scheme}): {violations}"
    assert phone.js_errors == []


def test_the_check_fails_on_a_planted_violation(phone: Page, app_url: str, tenant: dict[str, Any]) -> None:
    """The check above can fail: an unlabelled field and grey-on-grey text are found on the same screen."""
    sign_in_screen(phone, app_url, tenant)
    assert axe_violations(phone) == []
    phone.evaluate(
        """() => {
            const main = document.getElementById("main");
            main.append(Object.assign(document.createElement("input"), { type: "text" }));
            const faint = Object.assign(document.createElement("p"), { textContent: "Faint words" });
            main.append(faint);
            // Set through the CSSOM, which the page's style-src policy allows (a style attribute it would not).
            faint.style.color = "#bbb";
            faint.style.background = "#ccc";
        }"""
    )
    found = {violation["id"] for violation in axe_violations(phone)}
    assert {"label", "color-contrast"} <= found, found
