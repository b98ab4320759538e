"""Tokens: silent renewal with the refresh token, Approvals by scope, sign-out."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from authn.models import User
from tests.pwa.conftest import idb_get, sign_in, user, wait_for_week
from tests.pwa.test_entries import add_entry
from timesheets.models import Entry, EntryStatus, Project
from timesheets.services import entry_create

pytestmark = pytest.mark.browser

SHORT_TOKEN_LIFETIME_SECONDS = 2


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def bearer_of(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


def wait_until(condition: Any, *, timeout: float = 15.0, message: str = "") -> None:
    """Poll a condition (not a fixed sleep): returns as soon as it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message or "condition not met in time"
        time.sleep(0.1)


def test_expired_access_token_is_renewed_without_asking(
    phone: Page, app_url: str, tenant: dict[str, Any], settings
) -> None:
    from idp.models import Api

    # The API's token lifetime, as an operator sets it in the admin; and no leeway on expiry.
    Api.objects.filter(identifier=settings.AUTH0_AUDIENCE).update(token_lifetime=SHORT_TOKEN_LIFETIME_SECONDS)
    settings.JWT_LEEWAY_SECONDS = 0
    # The phone's clock stands still (as on a device that slept), so the app does not
    # renew ahead of time: the server is first to notice that the token expired.
    phone.clock.install()
    phone.clock.pause_at(dt.datetime.now() + dt.timedelta(seconds=1))
    alice = user(tenant, "alice")
    api_calls: list[tuple[str, str, int]] = []
    phone.on(
        "response", lambda r: "/api/" in r.url and api_calls.append((r.request.method, bearer_of(r.request), r.status))
    )
    refreshes: list[Request] = []
    phone.on(
        "request",
        lambda r: "/oauth/token" in r.url and "grant_type=refresh_token" in (r.post_data or "") and refreshes.append(r),
    )

    sign_in(phone, app_url, alice["username"], alice["password"])
    first_token = api_calls[-1][1]
    first_refresh_token = idb_get(phone, "refresh_token")
    assert first_refresh_token
    claims = jwt_claims(first_token)
    assert claims["exp"] - claims["iat"] == SHORT_TOKEN_LIFETIME_SECONDS
    assert refreshes == []

    # Real time passes until the API refuses the token.
    me = f"{app_url}/api/me"
    wait_until(
        lambda: phone.context.request.get(me, headers={"Authorization": f"Bearer {first_token}"}).status == 401,
        message="the access token never expired",
    )

    # The next call gets a 401, the app renews with the refresh token once and retries: no login page.
    calls_before = len(api_calls)
    add_entry(phone, hours="1.5")
    wait_for_week(phone)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 1.5 h")
    assert Entry.objects.filter(owner__username="alice").count() == 1
    (method, token, status), (retry_method, retry_token, retry_status) = api_calls[calls_before : calls_before + 2]
    assert (token, status) == (first_token, 401)
    assert (retry_method, retry_status) == (method, 200) and retry_token != first_token
    assert [s for m, _, s in api_calls[calls_before:] if m == "POST"] == [201]
    assert len(refreshes) == 1
    assert "/authorize" not in phone.url
    second_refresh_token = idb_get(phone, "refresh_token")
    assert second_refresh_token and second_refresh_token != first_refresh_token  # rotated and replaced

    # With the clock running again, the app renews ahead of expiry on its own.
    with phone.expect_response(
        lambda r: "/oauth/token" in r.url and "grant_type=refresh_token" in (r.request.post_data or "")
    ) as renewal:
        phone.clock.resume()
    assert renewal.value.status == 200
    wait_until(lambda: idb_get(phone, "refresh_token") not in (None, second_refresh_token))
    assert phone.js_errors == []


def test_manager_sees_approvals_and_approves(new_phone: Any, app_url: str, tenant: dict[str, Any], snap: Any) -> None:
    alice_user = User.objects.get(username="alice")
    project = Project.objects.get(name="StoreZero")
    today = dt.datetime.now(dt.UTC).date()
    to_approve, _ = entry_create(owner=alice_user, date=today, project=project, hours=6, notes="Release")
    to_reject, _ = entry_create(owner=alice_user, date=today, project=project, hours=2, notes="Meeting")

    manager = new_phone()
    carol = user(tenant, "carol")
    sign_in(manager, app_url, carol["username"], carol["password"])
    tabs = manager.get_by_role("navigation", name="Main")
    tabs.get_by_role("link", name="Approvals").click()
    expect(manager.get_by_role("heading", level=1, name="Approvals")).to_be_visible()
    cards = manager.get_by_role("listitem").filter(has=manager.get_by_role("heading", level=2))
    expect(cards).to_have_count(2)
    snap(manager, "09-approvals")

    approve_card = manager.locator(f"[data-entry-id='{to_approve.pk}']")
    approve_card.get_by_role("button", name="Approve").click()
    expect(approve_card).to_have_count(0)
    to_approve.refresh_from_db()
    assert to_approve.status == EntryStatus.APPROVED
    assert to_approve.decided_by.username == "carol"

    # Rejecting needs a comment: the field says so before anything is sent.
    reject_card = manager.locator(f"[data-entry-id='{to_reject.pk}']")
    reject_card.get_by_role("button", name="Reject").click()
    expect(reject_card.locator(".field-error")).to_have_text("Say why the entry is rejected.")
    reject_card.get_by_label("Comment (needed to reject)").fill("Booked twice")
    reject_card.get_by_role("button", name="Reject").click()
    expect(manager.get_by_text("Nothing is waiting for your decision.")).to_be_visible()
    to_reject.refresh_from_db()
    assert (to_reject.status, to_reject.decision_comment) == (EntryStatus.REJECTED, "Booked twice")

    # The employee has no Approvals: neither the tab nor the screen.
    employee = new_phone()
    alice = user(tenant, "alice")
    sign_in(employee, app_url, alice["username"], alice["password"])
    employee_tabs = employee.get_by_role("navigation", name="Main")
    expect(employee_tabs.get_by_role("link", name="Profile")).to_be_visible()
    expect(employee_tabs.get_by_role("link", name="Approvals")).to_have_count(0)
    employee.goto(f"{app_url}/#/approvals")
    expect(employee.get_by_role("heading", level=1, name="Week")).to_be_visible()
    expect(employee.get_by_text("Approved", exact=True)).to_be_visible()  # her week shows the decisions
    expect(employee.get_by_text("Rejected: Booked twice")).to_be_visible()
    snap(employee, "10-week-with-decisions", around=employee.locator("section.today"))
    assert manager.js_errors == [] and employee.js_errors == []


def test_sign_out_forgets_tokens_and_asks_to_sign_in_again(
    phone: Page, app_url: str, tenant: dict[str, Any], snap: Any
) -> None:
    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(phone.get_by_role("heading", level=1, name="Profile")).to_be_visible()
    scopes = phone.get_by_role("list", name="Granted scopes")
    expect(scopes).to_contain_text("create:timesheets")
    expect(scopes).to_contain_text("offline_access")
    expect(scopes).not_to_contain_text("approve:timesheets")
    snap(phone, "11-profile")
    assert idb_get(phone, "refresh_token")

    phone.get_by_role("button", name="Sign out").click()
    phone.wait_for_url(f"{app_url}/")
    expect(phone.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert idb_get(phone, "refresh_token") is None
    assert idb_get(phone, "session") is None
    snap(phone, "01-sign-in")

    # Protected screens ask for sign-in again, and so does the issuer (its session ended too).
    phone.goto(f"{app_url}/#/profile")
    expect(phone.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(phone.get_by_role("navigation", name="Main")).to_be_hidden()
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.locator("input[name=password]")).to_be_visible()
    assert phone.js_errors == []
