"""Weeks through the API: /api/weeks, submit, withdraw, /api/approvals/weeks, and the lock on every route."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from timesheets.models import Entry, EntryAudit, Week, WeekAudit

pytestmark = pytest.mark.django_db

MONDAY = "2026-11-23"
EMPLOYEE = ["read:timesheets", "create:timesheets", "delete:timesheets"]


@pytest.fixture
def alice_api(as_user, alice):
    return as_user(alice, scopes=EMPLOYEE)


@pytest.fixture
def carol_api(as_user, carol):
    return as_user(carol, scopes=["read:timesheets", "approve:timesheets"])


@pytest.fixture
def alice_week(alice_api, store_zero) -> list[dict]:
    """Alice logs Monday 8 h and Tuesday 4.5 h through the API."""
    return [
        alice_api.post("/api/timesheets", {"date": day, "project": "StoreZero", "hours": h}, format="json").json()
        for day, h in (("2026-11-23", 8), ("2026-11-24", 4.5))
    ]


def submit(client, monday: str = MONDAY):
    return client.post(f"/api/weeks/{monday}/submit")


def test_weeks_list_state_and_totals(alice_api, alice_week):
    body = alice_api.get("/api/weeks", {"from": "2026-11-20", "to": "2026-11-29"}).json()
    assert [(w["monday"], w["state"], w["id"]) for w in body] == [
        ("2026-11-23", "open", None),
        ("2026-11-16", "open", None),
    ]
    week = body[0]
    assert week["sunday"] == "2026-11-29"
    assert week["total_hours"] == 12.5
    assert [d["hours"] for d in week["days"]] == [8, 4.5, 0, 0, 0, 0, 0]
    assert week["days_without_time"] == ["2026-11-25", "2026-11-26", "2026-11-27"]
    assert week["projects"] == [{"id": alice_week[0]["project"], "name": "StoreZero", "hours": 8 + 4.5}]
    assert week["counts"] == {"pending": 2, "approved": 0, "rejected": 0}
    assert week["owner"]["email"] == "alice@abc.example"


def test_weeks_list_refuses_a_backwards_or_huge_range(alice_api):
    response = alice_api.get("/api/weeks", {"from": "2026-11-29", "to": "2026-11-20"})
    assert response.status_code == 400 and "from" in response.json()["fields"]
    response = alice_api.get("/api/weeks", {"from": "2020-01-01", "to": "2026-11-20"})
    assert response.status_code == 400 and "at most" in response.json()["fields"]["from"][0]
    assert alice_api.get("/api/weeks", {"from": "soon"}).json()["error"] == "invalid_request"


def test_submit_then_everything_in_the_week_is_locked(alice_api, alice_week):
    response = submit(alice_api)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["id"] == Week.objects.get().pk and body["submitted_at"]

    entry_id = alice_week[0]["id"]
    refused = [
        alice_api.post("/api/timesheets", {"date": "2026-11-25", "project": "StoreZero", "hours": 1}, format="json"),
        alice_api.patch(f"/api/timesheets/{entry_id}", {"hours": 1}, format="json"),
        alice_api.delete(f"/api/timesheets/{entry_id}"),
        alice_api.post("/timesheets", {"date": "2026-11-25", "project": "StoreZero", "hours": 1}, format="json"),
        submit(alice_api),
    ]
    for response in refused:
        assert response.status_code == 409, response.content
        assert response.json() == {
            "error": "week_locked",
            "error_description": "The week of 2026-11-23 is submitted: its entries are locked until it is "
            "withdrawn or rejected.",
        }
    assert Entry.objects.count() == 2
    # The next week is open.
    response = alice_api.post(
        "/api/timesheets", {"date": "2026-11-30", "project": "StoreZero", "hours": 1}, format="json"
    )
    assert response.status_code == 201


def test_upload_into_a_locked_week_is_refused_per_item(alice_api, alice_week, as_machine, bob):
    submit(alice_api)
    items = [
        {"user_id": "bob@abc.example", "date": "2026-11-25", "project": "StoreZero", "hours": 2},
        {"user_id": "alice@abc.example", "date": "2026-11-25", "project": "StoreZero", "hours": 2},
    ]
    response = as_machine().post("/api/timesheets/upload", items, format="json")
    assert response.status_code == 400
    assert response.json()["items"] == [
        {
            "index": 1,
            "fields": {
                "date": [
                    "The week of 2026-11-23 is submitted: its entries are locked until it is withdrawn or rejected."
                ]
            },
        }
    ]


def test_submit_errors(alice_api, alice_week, as_machine):
    response = submit(alice_api, "2026-11-24")
    assert response.status_code == 400
    assert response.json()["fields"] == {"monday": ["2026-11-24 is not a Monday; a week is named by its Monday."]}
    assert submit(alice_api, "yesterday").json()["fields"] == {"monday": ["Give the week's Monday as YYYY-MM-DD."]}
    response = submit(alice_api, "2026-11-30")
    assert (response.status_code, response.json()["error"]) == (400, "week_incomplete")
    response = submit(as_machine(scopes=["create:timesheets"]))
    assert (response.status_code, response.json()["error"]) == (403, "person_required")


def test_withdraw(alice_api, alice_week):
    response = alice_api.post(f"/api/weeks/{MONDAY}/withdraw")
    assert (response.status_code, response.json()["error"]) == (409, "week_not_submitted")
    submit(alice_api)
    response = alice_api.post(f"/api/weeks/{MONDAY}/withdraw")
    assert response.status_code == 200 and response.json()["state"] == "open"
    response = alice_api.patch(f"/api/timesheets/{alice_week[0]['id']}", {"hours": 7}, format="json")
    assert response.status_code == 200


def test_the_approvals_queue_holds_others_submitted_weeks_with_entries(
    alice_api, carol_api, alice_week, as_user, carol
):
    submit(alice_api)
    body = carol_api.get("/api/approvals/weeks").json()
    assert [(w["owner"]["email"], w["monday"], w["state"], w["total_hours"]) for w in body] == [
        ("alice@abc.example", MONDAY, "submitted", 12.5)
    ]
    assert [e["id"] for e in body[0]["entries"]] == [e["id"] for e in alice_week]
    # Alice, with the approve scope, does not see her own week.
    assert as_user(Week.objects.get().owner, scopes=["approve:timesheets"]).get("/api/approvals/weeks").json() == []


def test_approve_a_week_in_one_step(alice_api, carol_api, alice_week, carol):
    week_id = submit(alice_api).json()["id"]
    response = carol_api.put(f"/api/approvals/weeks/{week_id}", {"status": "approved"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["decided_by"]["email"]) == ("approved", "carol@abc.example")
    assert body["counts"] == {"pending": 0, "approved": 2, "rejected": 0}
    assert {e["status"] for e in body["entries"]} == {"approved"}
    assert EntryAudit.objects.filter(action="approved").count() == 2
    assert WeekAudit.objects.filter(action="approved").count() == 1
    again = carol_api.put(f"/api/approvals/weeks/{week_id}", {"status": "rejected", "comment": "x"}, format="json")
    assert (again.status_code, again.json()["error"]) == (409, "already_decided")
    # The compat and the entry routes see the entries approved.
    compat = alice_api.get("/timesheets")
    assert all(e["approved"] for e in json.loads(b"".join(compat.streaming_content)))


def test_reject_a_week_then_fix_and_resubmit(alice_api, carol_api, alice_week):
    week_id = submit(alice_api).json()["id"]
    no_comment = carol_api.put(f"/api/approvals/weeks/{week_id}", {"status": "rejected"}, format="json")
    assert (no_comment.status_code, no_comment.json()["fields"]) == (
        400,
        {"comment": ["Say why the week is rejected."]},
    )
    response = carol_api.put(
        f"/api/approvals/weeks/{week_id}", {"status": "rejected", "comment": "Tuesday is short"}, format="json"
    )
    assert response.json()["state"] == "rejected"
    week = alice_api.get("/api/weeks", {"from": MONDAY, "to": MONDAY}).json()[0]
    assert (week["state"], week["comment"]) == ("rejected", "Tuesday is short")
    entry = alice_api.get(f"/api/timesheets/{alice_week[1]['id']}").json()
    assert (entry["status"], entry["decision_comment"]) == ("pending", "Tuesday is short")
    assert alice_api.patch(f"/api/timesheets/{entry['id']}", {"hours": 8}, format="json").status_code == 200
    assert submit(alice_api).json()["state"] == "submitted"


def test_no_self_approval_and_unknown_week(as_user, alice, alice_api, alice_week):
    week_id = submit(alice_api).json()["id"]
    alice_manager = as_user(alice, scopes=["approve:timesheets"])
    response = alice_manager.put(f"/api/approvals/weeks/{week_id}", {"status": "approved"}, format="json")
    assert (response.status_code, response.json()["error"]) == (403, "self_approval")
    response = alice_manager.put("/api/approvals/weeks/999999", {"status": "approved"}, format="json")
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


def test_a_machine_client_deciding_a_week_gets_person_required(alice_api, alice_week, as_machine):
    week_id = submit(alice_api).json()["id"]
    machine = as_machine(scopes=["approve:timesheets"])
    response = machine.put(f"/api/approvals/weeks/{week_id}", {"status": "approved"}, format="json")
    assert (response.status_code, response.json()["error"]) == (403, "person_required")
    assert Week.objects.get().state == "submitted"


def test_per_entry_compat_approval_approves_the_week_when_all_its_entries_are(
    alice_api, carol_api, alice_week, as_user, carol
):
    submit(alice_api)
    compat = as_user(carol, scopes=["approve:timesheets"])
    for entry in alice_week:
        assert compat.put(f"/approvals/{entry['id']}", format="json").status_code == 200
    assert Week.objects.get().state == "approved"


def test_required_submission_refuses_approving_an_entry_outside_a_submitted_week(settings, carol_api, alice_week):
    settings.REQUIRE_WEEK_SUBMISSION = True
    response = carol_api.put(f"/api/approvals/{alice_week[0]['id']}", {"status": "approved"}, format="json")
    assert (response.status_code, response.json()["error"]) == (409, "week_not_submitted")


def test_the_schema_documents_the_week_routes(api, issuer):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/weeks",
        "/api/weeks/{monday}/submit",
        "/api/weeks/{monday}/withdraw",
        "/api/approvals/weeks",
        "/api/approvals/weeks/{week_id}",
    ):
        assert path in paths, path
    assert paths["/api/approvals/weeks/{week_id}"]["put"]["security"][0] == {"oauth2": ["approve:timesheets"]}


def test_the_week_lists_read_a_fixed_number_of_queries(
    as_user, alice, bob, carol, carol_api, store_zero, django_assert_num_queries
):
    from decimal import Decimal

    from timesheets import services

    def submit_weeks(owner, count: int) -> None:
        for back in range(count):
            monday = dt.date(2026, 11, 23) - dt.timedelta(weeks=back)
            for day in range(3):
                services.entry_create(
                    owner=owner, date=monday + dt.timedelta(days=day), project=store_zero, hours=Decimal(2)
                )
            services.week_submit(actor=owner, monday=monday)

    submit_weeks(alice, 1)
    carol_api.get("/api/approvals/weeks")  # the first request also reads the caller's row (then cached)
    with CaptureQueriesContext(connection) as one:
        assert len(carol_api.get("/api/approvals/weeks").json()) == 1
    submit_weeks(bob, 4)
    with django_assert_num_queries(len(one)):
        assert len(carol_api.get("/api/approvals/weeks").json()) == 5

    alice_api = as_user(alice, scopes=EMPLOYEE)
    alice_api.get("/api/weeks")  # warms the user cache, as above
    with CaptureQueriesContext(connection) as listed:
        alice_api.get("/api/weeks", {"from": "2026-10-01", "to": "2026-11-29"})
    with django_assert_num_queries(len(listed)):
        assert len(alice_api.get("/api/weeks", {"from": "2026-01-01", "to": "2026-11-29"}).json()) == 48
