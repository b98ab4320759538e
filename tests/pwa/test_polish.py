"""Polish a phone user expects: dark mode, no portrait lock and a usable week sideways, 44 by 44 px tap
targets, Save clear of the tab bar at 360 by 640, a toast that covers no control, permissions in words and a
sign-in page with the product's name and a favicon."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from authn.models import User
from tests.pwa.conftest import sign_in, user, wait_for_service_worker, wait_for_week
from tests.pwa.test_entries import choose_project
from timesheets import services
from timesheets.models import Project

pytestmark = pytest.mark.browser

CONTROLS = "main a, main button, main input, main select, main textarea, main summary, nav a, dialog button"

# Every visible control's box and a label to name it, plus what the browser hits at the control's centre.
BOXES = """(selector) => [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
    .map((el) => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        const name = (el.getAttribute("aria-label") || el.textContent || el.name || el.tagName).trim().slice(0, 40);
        const reachable = !!hit && (hit === el || el.contains(hit));
        return { name, x: r.x, y: r.y, width: r.width, height: r.height, reachable };
    })"""


def log_this_week() -> None:
    alice = User.objects.get(username="alice")
    today = dt.datetime.now(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    project = Project.objects.get(name="StoreZero")
    for day in range(3):
        services.entry_create(
            owner=alice, date=monday + dt.timedelta(days=day), project=project, hours=7.5, notes="Work"
        )


def signed_in_alice(page: Page, app_url: str, tenant: dict[str, Any]) -> None:
    alice = user(tenant, "alice")
    sign_in(page, app_url, alice["username"], alice["password"])


def too_small(page: Page) -> list[dict[str, Any]]:
    return [box for box in page.evaluate(BOXES, CONTROLS) if box["width"] < 44 or box["height"] < 44]


def test_the_app_follows_the_phones_dark_mode(phone: Page, app_url: str, tenant: dict[str, Any], snap: Any) -> None:
    log_this_week()
    signed_in_alice(phone, app_url, tenant)
    colours = "() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    phone.emulate_media(color_scheme="light")
    assert phone.evaluate(colours) == ["rgb(244, 246, 249)", "rgb(27, 31, 36)"]
    phone.emulate_media(color_scheme="dark")
    assert phone.evaluate(colours) == ["rgb(18, 21, 25)", "rgb(232, 234, 237)"]
    day = phone.locator("section.day").first
    assert day.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(28, 33, 40)"
    snap(phone, "18-dark-week")
    # Form controls follow too (color-scheme), so inputs are not white boxes in the dark.
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    assert phone.get_by_label("Hours").evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(16, 19, 23)"
    assert phone.js_errors == []


def test_no_portrait_lock_and_a_usable_week_sideways(
    phone: Page, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    manifest = phone.context.request.get(f"{app_url}/manifest.webmanifest").json()
    assert "orientation" not in manifest
    log_this_week()
    signed_in_alice(phone, app_url, tenant)
    phone.set_viewport_size({"width": 844, "height": 390})
    assert phone.evaluate("matchMedia('(orientation: landscape)').matches")
    wait_for_week(phone)
    # Nothing wider than the screen, the days side by side, and the main actions reachable (not under the tab bar).
    assert phone.evaluate("document.documentElement.scrollWidth") <= 844
    tops = phone.locator("section.day").evaluate_all("(days) => days.map((d) => d.getBoundingClientRect().top)")
    assert tops[0] == tops[1]
    for name in ("+ Add time", "Start a timer"):
        control = phone.get_by_role("link", name=name, exact=True)
        control.scroll_into_view_if_needed()
        expect(control).to_be_in_viewport()
    in_view = [box for box in phone.evaluate(BOXES, CONTROLS) if 0 <= box["y"] and box["y"] + box["height"] <= 390]
    main_actions = [box for box in in_view if box["name"] in ("+ Add time", "▶ Start a timer")]
    assert len(main_actions) == 2 and all(box["reachable"] for box in main_actions), in_view
    phone.evaluate("window.scrollTo(0, 0)")
    snap(phone, "17-landscape-week")
    assert phone.js_errors == []


def test_every_control_is_at_least_44_px_square(new_phone: Any, app_url: str, tenant: dict[str, Any]) -> None:
    log_this_week()
    phone = new_phone()
    signed_in_alice(phone, app_url, tenant)
    wait_for_service_worker(phone)
    # An entry waiting to sync brings its Discard button.
    phone.context.set_offline(True)
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    choose_project(phone, "StoreZero")
    phone.get_by_label("Hours").fill("1")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Waiting to sync")).to_be_visible()
    discard = phone.get_by_role("button", name="Discard")
    expect(discard).to_be_visible()
    assert too_small(phone) == []
    # Discard asks first, with targets of the same size.
    discard.click()
    dialog = phone.get_by_role("dialog", name="Discard this entry?")
    expect(dialog).to_contain_text("StoreZero, 1 h")
    assert too_small(phone) == []
    dialog.get_by_role("button", name="Cancel").click()
    expect(phone.get_by_text("Waiting to sync")).to_be_visible()
    discard.click()
    phone.get_by_role("dialog", name="Discard this entry?").get_by_role("button", name="Discard", exact=True).click()
    expect(phone.get_by_text("Waiting to sync")).to_have_count(0)
    phone.context.set_offline(False)
    phone.reload()
    wait_for_week(phone)
    assert too_small(phone) == []
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    expect(phone.get_by_role("button", name="Save")).to_be_visible()
    assert too_small(phone) == []
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(phone.get_by_role("button", name="Sign out")).to_be_visible()
    assert too_small(phone) == []

    manager = new_phone()
    carol = user(tenant, "carol")
    sign_in(manager, app_url, carol["username"], carol["password"])
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    expect(manager.locator(".approval").first).to_be_visible()
    assert too_small(manager) == []
    assert phone.js_errors == [] and manager.js_errors == []


def test_save_is_never_behind_the_tab_bar_at_360_by_640(phone: Page, app_url: str, tenant: dict[str, Any]) -> None:
    signed_in_alice(phone, app_url, tenant)
    assert phone.viewport_size == {"width": 360, "height": 640}
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    save = phone.get_by_role("button", name="Save")
    tabs = phone.get_by_role("navigation", name="Main")
    expect(save).to_be_visible()  # the form is drawn (projects loaded)
    # Scrolled to the very end, Save sits above the tab bar.
    phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert save.bounding_box()["y"] + save.bounding_box()["height"] <= tabs.bounding_box()["y"]
    # Reached with the keyboard from the top, it is scrolled clear of the tab bar too.
    phone.evaluate("window.scrollTo(0, 0)")
    phone.get_by_label("Notes (optional)").focus()
    for _ in range(6):
        if phone.evaluate("document.activeElement.textContent.trim()") == "Save":
            break
        phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Save"
    box = next(box for box in phone.evaluate(BOXES, CONTROLS) if box["name"] == "Save")
    assert box["reachable"] and box["y"] + box["height"] <= tabs.bounding_box()["y"], box
    assert phone.js_errors == []


def test_the_toast_covers_no_control(phone: Page, app_url: str, tenant: dict[str, Any]) -> None:
    signed_in_alice(phone, app_url, tenant)
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    choose_project(phone, "StoreZero")
    phone.get_by_label("Hours").fill("2")
    phone.get_by_role("button", name="Save").click()
    toast = phone.get_by_role("status")
    expect(toast).to_contain_text("Saved 2 h")
    expect(toast).to_be_visible()
    wait_for_week(phone)
    area = toast.bounding_box()
    assert area and area["height"] > 10
    for box in phone.evaluate(BOXES, CONTROLS):
        overlaps = not (
            box["x"] + box["width"] <= area["x"]
            or area["x"] + area["width"] <= box["x"]
            or box["y"] + box["height"] <= area["y"]
            or area["y"] + area["height"] <= box["y"]
        )
        assert not overlaps, box
        if 0 <= box["y"] and box["y"] + box["height"] <= 640:
            assert box["reachable"], box
    assert phone.js_errors == []


def test_profile_says_in_words_what_each_permission_allows(phone: Page, app_url: str, tenant: dict[str, Any]) -> None:
    signed_in_alice(phone, app_url, tenant)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    scopes = phone.get_by_role("list", name="Granted scopes")
    expect(phone.get_by_role("heading", name="With your permissions you can")).to_be_visible()
    expect(scopes.locator("[data-scope='read:timesheets']")).to_contain_text("See the time you have logged")
    expect(scopes.locator("[data-scope='create:timesheets']")).to_contain_text("Log time, change it, run a timer")
    expect(scopes.locator("[data-scope='offline_access']")).to_contain_text("Stay signed in on this phone")
    # Every granted permission has its words (no bare codes).
    for item in scopes.locator("li").all():
        words = item.text_content() or ""
        assert words.split("Permission:")[0].strip(), words
    assert phone.js_errors == []


def test_the_sign_in_page_carries_the_product_name_and_a_favicon(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    phone.goto(f"{app_url}/")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.locator("input[name=username]")).to_be_visible()
    expect(phone).to_have_title("Sign in · ABC Timesheets")
    expect(phone.locator("header.product")).to_have_text("ABC Timesheets")
    icon = phone.locator("link[rel=icon]").get_attribute("href")
    answer = phone.context.request.get(f"{app_url}{icon}")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in answer.body()
    assert phone.js_errors == []
