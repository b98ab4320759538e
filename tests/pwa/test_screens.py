"""How the app's modules hold together: a screen the person left never draws,
each person's data on a shared phone stays theirs, limits and scope words come
from the server, and a failing identity provider gives a message, not a crash."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

import pytest
from oauth2_provider.models import get_refresh_token_model
from playwright.sync_api import Page, Request, Route, expect

from authn.models import User
from pwa import views as pwa_views
from tests.pwa.conftest import sign_in, user, wait_for_week
from tests.pwa.test_entries import add_entry
from timesheets.models import MAX_HOURS_PER_DAY, Entry, Project
from timesheets.services import MAX_NOTES_LENGTH, entry_create

pytestmark = pytest.mark.browser


def wait_for(page: Page, condition: Any, *, timeout: float = 10.0, message: str = "") -> None:
    """Poll a condition while Playwright keeps dispatching events (route handlers run meanwhile)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message or "condition not met in time"
        page.wait_for_timeout(25)


def let_the_page_finish(page: Page) -> None:
    """Give the page's pending work (an answer's JSON, IndexedDB writes, a draw) a moment to run."""
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 300))")


def heading(page: Page) -> str:
    return page.locator("#main h1").inner_text()


def test_a_late_answer_never_overwrites_the_screen_the_person_moved_to(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice = user(tenant, "alice")
    today = dt.datetime.now(dt.UTC).date()
    entry, _ = entry_create(
        owner=User.objects.get(username="alice"), date=today, project=Project.objects.get(name="StoreZero"), hours=3
    )
    sign_in(phone, app_url, alice["username"], alice["password"])
    tabs = phone.get_by_role("navigation", name="Main")
    cancelled: list[Request] = []
    phone.on("requestfailed", lambda request: cancelled.append(request))

    # Add time waits for the project list; the person moves on to Profile meanwhile.
    held: list[Route] = []
    phone.route("**/api/projects", lambda route: held.append(route))
    tabs.get_by_role("link", name="Add time").click()
    expect(phone.get_by_role("heading", level=1, name="Add time")).to_be_visible()
    wait_for(phone, lambda: held, message="Add time never asked for the projects")
    tabs.get_by_role("link", name="Profile").click()
    expect(phone.get_by_role("heading", level=1, name="Profile")).to_be_visible()
    # The screen the person left stops loading, and its answer, when it comes, draws nothing.
    wait_for(phone, lambda: any("/api/projects" in r.url for r in cancelled), message="the load was not cancelled")
    held.pop().continue_()
    phone.unroute("**/api/projects")
    let_the_page_finish(phone)
    assert heading(phone) == "Profile"
    expect(phone.get_by_label("Hours")).to_have_count(0)

    # The same for the edit form, and the form the person is typing into keeps its input.
    phone.route(f"**/api/timesheets/{entry.pk}", lambda route: held.append(route))
    phone.goto(f"{app_url}/#/entry/{entry.pk}")
    expect(phone.get_by_role("heading", level=1, name="Edit entry")).to_be_visible()
    wait_for(phone, lambda: held, message="Edit entry never asked for the entry")
    tabs.get_by_role("link", name="Add time").click()
    expect(phone.get_by_label("Hours")).to_be_visible()
    phone.get_by_label("Hours").fill("2.5")
    held.pop().continue_()
    phone.unroute(f"**/api/timesheets/{entry.pk}")
    let_the_page_finish(phone)
    assert heading(phone) == "Add time"
    expect(phone.get_by_label("Hours")).to_have_value("2.5")
    expect(phone.get_by_role("button", name="Delete entry")).to_have_count(0)

    # The one helper every screen draws through: a view that is no longer current refuses to draw.
    refused = phone.evaluate(
        """async () => {
            const { beginView, StaleView } = await import("/static/pwa/js/ui.js");
            const left = beginView();
            const current = beginView();
            let error = null;
            try { left.show("Left behind"); } catch (problem) { error = problem; }
            current.show("Current");
            return { stale: error instanceof StaleView, aborted: left.signal.aborted, live: !current.signal.aborted };
        }"""
    )
    assert refused == {"stale": True, "aborted": True, "live": True}
    assert heading(phone) == "Current"
    assert phone.js_errors == []


def end_session_at_the_issuer(page: Page, username: str) -> None:
    """The person's refresh token is revoked and the issuer forgets them; the phone keeps what it stored."""
    get_refresh_token_model().objects.filter(user__username=username).delete()
    page.context.clear_cookies()
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Session ended")).to_be_visible()
    expect(page.get_by_role("note")).to_have_text(
        "Your session has ended, so the app cannot reach your timesheets right now."
    )


def kv_keys(page: Page) -> list[str]:
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("abc-timesheets");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const request = open.result.transaction("kv").objectStore("kv").getAllKeys();
                request.onsuccess = () => { open.result.close(); resolve(request.result); };
            };
        })"""
    )


def test_a_second_person_on_the_same_phone_sees_none_of_the_first_persons_data(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice, carol = user(tenant, "alice"), user(tenant, "carol")
    today = dt.datetime.now(dt.UTC).date()
    entry_create(
        owner=User.objects.get(username="alice"),
        date=today,
        project=Project.objects.get(name="StoreZero"),
        hours=5,
        notes="Alice's client work",
    )
    posted: list[str] = []
    phone.on("request", lambda r: r.method == "POST" and "/api/timesheets" in r.url and posted.append(r.post_data))

    # Alice's week and the project list are saved on the phone; one entry waits to sync.
    sign_in(phone, app_url, alice["username"], alice["password"])
    expect(phone.get_by_text("Alice's client work")).to_be_visible()
    phone.route("**/api/timesheets", lambda route: route.abort("internetdisconnected"))
    add_entry(phone, hours="1", notes="Queued by Alice")
    expect(phone.get_by_text("Waiting to sync")).to_be_visible()
    alice_uuid = phone.locator(".entry.queued").get_attribute("data-uuid")
    phone.unroute("**/api/timesheets")

    # Her session ends without a sign-out (the phone keeps her data); Carol signs in
    # while the project list cannot be loaded, so the phone has only copies to offer.
    end_session_at_the_issuer(phone, "alice")
    phone.route("**/api/projects", lambda route: route.abort("internetdisconnected"))
    posted.clear()
    phone.get_by_role("button", name="Sign in again").click()
    phone.locator("input[name=username]").fill(carol["username"])
    phone.locator("input[name=password]").fill(carol["password"])
    phone.locator("input[name=password]").press("Enter")
    phone.wait_for_url(lambda url: url.startswith(f"{app_url}/#/week"))
    wait_for_week(phone)
    expect(phone.get_by_test_id("week-total")).to_have_text("Week total 0 h")
    expect(phone.get_by_text("Alice's client work")).to_have_count(0)
    expect(phone.locator(".entry.queued")).to_have_count(0)

    # Alice's saved project list is not Carol's.
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    expect(phone.get_by_role("heading", level=1, name="Add time")).to_be_visible()
    phone.get_by_role("combobox", name="Project").click()
    expect(phone.get_by_role("listbox", name="Project choices")).to_be_visible()
    expect(phone.get_by_role("option")).to_have_count(0)
    # Nor is Alice's waiting entry, even by its address.
    phone.goto(f"{app_url}/#/queued/{alice_uuid}")
    expect(phone.get_by_role("heading", level=1, name="Week")).to_be_visible()
    expect(phone.get_by_text("Queued by Alice")).to_have_count(0)
    assert not any(alice_uuid in (body or "") for body in posted)
    assert not Entry.objects.filter(uuid=alice_uuid).exists()

    # Every stored key is either about the phone (session, tokens, discovery) or names its user.
    subs = {u.username: u.sub for u in User.objects.filter(username__in=["alice", "carol"])}
    device = {"session", "refresh_token", f"discovery:{app_url}/"}
    stored = kv_keys(phone)
    assert {key for key in stored if not key.startswith("user:")} <= device
    assert any(key.startswith(f"user:{subs['alice']}:week:") for key in stored)
    assert f"user:{subs['alice']}:projects" in stored
    assert f"user:{subs['carol']}:projects" not in stored

    # When Alice is back, her waiting entry reaches the server, once.
    phone.unroute("**/api/projects")
    end_session_at_the_issuer(phone, "carol")
    sign_in(phone, app_url, alice["username"], alice["password"])
    expect(phone.locator(".entry.queued")).to_have_count(0)
    expect(phone.get_by_text("Queued by Alice")).to_be_visible()
    wait_for_week(phone)
    assert Entry.objects.filter(uuid=alice_uuid, owner__username="alice").count() == 1
    assert sum(alice_uuid in (body or "") for body in posted) == 1
    assert phone.js_errors == []


def test_the_form_and_profile_take_limits_and_scope_words_from_the_server(
    phone: Page, app_url: str, tenant: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = phone.context.request.get(f"{app_url}/pwa/config.json").json()
    assert config["limits"] == {
        "max_hours_per_day": float(MAX_HOURS_PER_DAY),
        "hours_step": 0.25,
        "max_notes_length": MAX_NOTES_LENGTH,
        "max_comment_length": Entry._meta.get_field("decision_comment").max_length,
        "max_days_ahead": 7,
        "max_days_back": None,
        "confirm_days_back": 28,
    }
    api_scopes = set(config["scope"].split()) - {"openid", "profile", "email"}
    assert api_scopes <= set(config["scope_labels"])
    assert config["scope_labels"]["create:timesheets"] == "Log time, change it, run a timer and submit your weeks"

    # The app has no numbers of its own: other numbers on the server, another form on the phone.
    monkeypatch.setattr(pwa_views, "MAX_HOURS_PER_DAY", Decimal("10"))
    monkeypatch.setattr(pwa_views, "HOURS_STEP", Decimal("0.5"))
    monkeypatch.setattr(pwa_views, "MAX_NOTES_LENGTH", 40)
    monkeypatch.setitem(pwa_views.SCOPE_LABELS, "create:timesheets", "Write down hours")
    alice = user(tenant, "alice")
    sign_in(phone, app_url, alice["username"], alice["password"])
    phone.get_by_role("link", name="+ Add time", exact=True).click()
    hours = phone.get_by_label("Hours")
    expect(hours).to_have_attribute("max", "10")
    expect(hours).to_have_attribute("step", "0.5")
    expect(hours).to_have_attribute("min", "0.5")
    expect(phone.get_by_label("Notes (optional)")).to_have_attribute("maxlength", "40")
    hours.fill("10.5")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("#entry-hours-error")).to_have_text("Hours must be more than 0 and at most 10.")
    hours.fill("7.25")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("#entry-hours-error")).to_have_text("Use steps of 0.5 hours (e.g. 7.5, 8, 8.5).")
    assert not Entry.objects.exists()

    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(phone.locator("[data-scope='create:timesheets']")).to_have_text(
        "Write down hoursPermission: create:timesheets"
    )
    assert phone.js_errors == []


def start_sign_in(page: Page, username: str, password: str) -> None:
    """Press Sign in and log in at the issuer (its session cookie is cleared first, so it always asks)."""
    page.context.clear_cookies()
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")


def test_a_failing_identity_provider_gives_a_message_not_a_crash(
    phone: Page, app_url: str, tenant: dict[str, Any]
) -> None:
    alice = user(tenant, "alice")
    phone.goto(f"{app_url}/")
    sign_in_button = phone.get_by_role("button", name="Sign in")
    alert = phone.get_by_role("alert")

    # Discovery answers with an error page.
    discovery = "**/.well-known/openid-configuration"
    phone.route(discovery, lambda route: route.fulfill(status=503, content_type="text/html", body="<h1>Down</h1>"))
    sign_in_button.click()
    expect(alert).to_have_text(
        f"Loading the sign-in settings of {app_url}/ failed: the identity provider answered 503."
    )
    phone.unroute(discovery)

    # The token endpoint fails after the login page.
    phone.route(
        "**/oauth/token", lambda route: route.fulfill(status=502, content_type="text/plain", body="Bad gateway")
    )
    start_sign_in(phone, alice["username"], alice["password"])
    expect(alert).to_have_text("Sign-in failed: The token request failed: the identity provider answered 502.")
    phone.unroute("**/oauth/token")

    # The issuer's keys cannot be loaded, so the ID token cannot be checked.
    phone.route("**/.well-known/jwks.json", lambda route: route.fulfill(status=500, body="oops"))
    start_sign_in(phone, alice["username"], alice["password"])
    expect(alert).to_have_text(
        "Sign-in failed: Loading the identity provider's keys failed: the identity provider answered 500."
    )
    phone.unroute("**/.well-known/jwks.json")
    expect(phone.get_by_role("navigation", name="Main")).to_be_hidden()

    # With the issuer well again, signing in works.
    start_sign_in(phone, alice["username"], alice["password"])
    phone.wait_for_url(f"{app_url}/#/week")
    wait_for_week(phone)
    assert phone.js_errors == []


def test_the_storage_upgrade_drops_the_shared_cache_and_keeps_waiting_entries(phone: Page, app_url: str) -> None:
    # A phone that ran the previous version: one projects list for everybody, a week, a waiting entry.
    phone.goto(f"{app_url}/manifest.webmanifest")
    phone.evaluate(
        """(issuer) => new Promise((resolve, reject) => {
            const open = indexedDB.open("abc-timesheets", 1);
            open.onupgradeneeded = () => {
                open.result.createObjectStore("kv");
                open.result.createObjectStore("queue", { keyPath: "uuid" });
            };
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const db = open.result;
                const tx = db.transaction(["kv", "queue"], "readwrite");
                tx.objectStore("kv").put([{ id: 1, name: "StoreZero" }], "projects");
                tx.objectStore("kv").put({ entries: [], savedAt: 0 }, "week:auth0|alice:2026-11-30");
                tx.objectStore("kv").put("2026-11-30", "lastWeek:auth0|alice");
                tx.objectStore("kv").put({ issuer }, `discovery:${issuer}`);
                tx.objectStore("queue").put({ uuid: "waiting-1", owner: "auth0|alice", state: "waiting", hours: 2 });
                tx.oncomplete = () => { db.close(); resolve(); };
                tx.onerror = () => reject(tx.error);
            };
        })""",
        f"{app_url}/",
    )

    phone.goto(f"{app_url}/")
    expect(phone.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert kv_keys(phone) == [f"discovery:{app_url}/"]
    waiting = phone.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("abc-timesheets");
            open.onsuccess = () => {
                const request = open.result.transaction("queue").objectStore("queue").getAll();
                const { version, objectStoreNames } = open.result;
                const stores = [...objectStoreNames];
                request.onsuccess = () => { open.result.close(); resolve([version, stores, request.result]); };
            };
        })"""
    )
    # Version 3 added the timer store (timer.js); upgrading from 1 runs every step.
    assert waiting == [
        3,
        ["kv", "queue", "timer"],
        [{"uuid": "waiting-1", "owner": "auth0|alice", "state": "waiting", "hours": 2}],
    ]
    assert phone.js_errors == []
