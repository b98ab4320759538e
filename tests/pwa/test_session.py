"""Tokens: silent renewal with the refresh token, Approvals by scope, sign-out."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from authn.models import User
from tests.pwa.conftest import idb_get, sign_in, user, wait_for_week
from tests.pwa.test_entries import add_entry
from timesheets.models import Entry, EntryStatus, Project
from timesheets.services import entry_create

pytestmark = pytest.mark.browser

SHORT_TOKEN_LIFETIME_SECONDS = 4


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def bearer_of(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


def test_expired_access_token_is_renewed_without_asking(
    phone: Page, app_url: str, tenant: dict[str, Any], settings
) -> None:
    from idp.models import Api

    # The API's token lifetime, as an operator would set it in the admin; no leeway on expiry.
    Api.objects.filter(identifier=settings.AUTH0_AUDIENCE).update(token_lifetime=SHORT_TOKEN_LIFETIME_SECONDS)
    settings.JWT_LEEWAY_SECONDS = 0
    alice = user(tenant, "alice")
    api_tokens: list[str] = []
    phone.on("request", lambda r: "/api/" in r.url and api_tokens.append(bearer_of(r)))

    sign_in(phone, app_url, alice["username"], alice["password"])
    first_token = api_tokens[-1]
    first_refresh_token = idb_get(phone, "refresh_token")
    assert first_refresh_token
    expires_at = jwt_claims(first_token)["exp"]
    assert expires_at - jwt_claims(first_token)["iat"] == SHORT_TOKEN_LIFETIME_SECONDS

    # Wait until the first access token has really expired (the API now refuses it)...
    phone.wait_for_function(f"() => Date.now() / 1000 > {expires_at} + 1")
    refused = phone.context.request.get(f"{app_url}/api/me", headers={"Authorization": f"Bearer {first_token}"})
    assert refused.status == 401

    # ...and the app still works: it renewed with the (rotated) refresh token, no login page.
    add_entry(phone, hours="1.5")
    wait_for_week(phone)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 1.5 h")
    assert Entry.objects.filter(owner__username="alice").count() == 1
    assert "/authorize" not in phone.url
    assert api_tokens[-1] != first_token
    assert jwt_claims(api_tokens[-1])["exp"] > expires_at
    rotated = idb_get(phone, "refresh_token")
    assert rotated and rotated != first_refresh_token
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
    snap(employee, "10-week-with-decisions")
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
