"""Own entries through /api/timesheets: create, read, edit, delete, filters, rules."""

from __future__ import annotations

import uuid

import pytest

from tests.support.entries import decided_entry
from timesheets.models import Entry, EntryAudit, EntryStatus, Project

pytestmark = pytest.mark.django_db

LIST = "/api/timesheets"


def detail(entry_id: int) -> str:
    return f"/api/timesheets/{entry_id}"


@pytest.fixture
def alice_api(as_user, alice):
    return as_user(alice)


def test_create_and_read_back(alice_api, alice, store_zero):
    key = str(uuid.uuid4())
    response = alice_api.post(
        LIST,
        {"date": "2026-11-23", "project": store_zero.pk, "hours": 7.25, "notes": "Sprint review", "uuid": key},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["uuid"] == key
    assert (body["date"], body["project"], body["project_name"], body["hours"]) == (
        "2026-11-23",
        store_zero.pk,
        "StoreZero",
        7.25,
    )
    assert body["status"] == "pending"
    assert body["owner"]["email"] == alice.email
    entry = Entry.objects.get(pk=body["id"])
    assert entry.owner == alice
    assert EntryAudit.objects.filter(entry=entry, action="created", actor=alice).count() == 1
    assert alice_api.get(detail(entry.pk)).json() == body


def test_project_by_name_case_insensitive(alice_api, store_zero):
    response = alice_api.post(LIST, {"date": "2026-11-23", "project": "storezero", "hours": 1}, format="json")
    assert response.status_code == 201
    assert response.json()["project"] == store_zero.pk


def test_same_uuid_twice_returns_the_first_entry(alice_api, store_zero):
    key = str(uuid.uuid4())
    payload = {"date": "2026-11-23", "project": "StoreZero", "hours": 2, "uuid": key}
    first = alice_api.post(LIST, payload, format="json")
    again = alice_api.post(LIST, {**payload, "hours": 3}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["hours"] == 2
    assert Entry.objects.count() == 1


def test_uuid_is_scoped_to_its_owner(as_user, alice, bob, store_zero):
    key = str(uuid.uuid4())
    payload = {"date": "2026-11-23", "project": "StoreZero", "hours": 2, "uuid": key}
    assert as_user(alice).post(LIST, payload, format="json").status_code == 201
    response = as_user(bob).post(LIST, payload, format="json")
    assert response.status_code == 201
    assert Entry.objects.filter(uuid=key).count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"date": "2026-13-01", "project": "StoreZero", "hours": 1}, "date"),
        ({"date": "yesterday", "project": "StoreZero", "hours": 1}, "date"),
        ({"project": "StoreZero", "hours": 1}, "date"),
        ({"date": "2026-11-23", "project": "StoreZero", "hours": 0}, "hours"),
        ({"date": "2026-11-23", "project": "StoreZero", "hours": -1}, "hours"),
        ({"date": "2026-11-23", "project": "StoreZero", "hours": 24.25}, "hours"),
        ({"date": "2026-11-23", "project": "StoreZero", "hours": 7.3}, "hours"),
        ({"date": "2026-11-23", "project": "StoreZero", "hours": "abc"}, "hours"),
        ({"date": "2026-11-23", "project": "StoreZero", "hours": None}, "hours"),
        ({"date": "2026-11-23", "project": "StoreZero"}, "hours"),
        ({"date": "2026-11-23", "project": "Nope", "hours": 1}, "project"),
        ({"date": "2026-11-23", "project": 999999, "hours": 1}, "project"),
        ({"date": "2026-11-23", "project": True, "hours": 1}, "project"),
        ({"date": "2026-11-23", "hours": 1}, "project"),
        ({"date": "2026-11-23", "project": "StoreZero", "hours": 1, "notes": "x" * 1001}, "notes"),
        ({"date": "2026-11-23", "project": "StoreZero", "hours": 1, "uuid": "not-a-uuid"}, "uuid"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(alice_api, store_zero, payload, field):
    response = alice_api.post(LIST, payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid_request"
    assert field in body["fields"], body
    assert field in body["error_description"]
    assert Entry.objects.count() == 0
    assert EntryAudit.objects.count() == 0


def test_every_bad_field_is_reported_at_once(alice_api, store_zero):
    response = alice_api.post(LIST, {"date": "2026-11-23", "project": "Nope", "hours": 24.25}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"project", "hours"}


def test_archived_project_takes_no_new_time(alice_api):
    Project.objects.create(name="Legacy", active=False)
    response = alice_api.post(LIST, {"date": "2026-11-23", "project": "Legacy", "hours": 1}, format="json")
    assert response.status_code == 400
    assert "project" in response.json()["fields"]


def test_malformed_json(alice_api, store_zero):
    response = alice_api.post(LIST, '{"date": "2026-11-23",', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "Malformed request body" in response.json()["error_description"]
    assert Entry.objects.count() == 0


def test_body_that_is_not_an_object(alice_api, store_zero):
    response = alice_api.post(LIST, "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_wrong_content_type(alice_api, store_zero):
    response = alice_api.post(
        LIST, "date=2026-11-23&project=StoreZero&hours=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert "application/json" in response.json()["error_description"]
    assert Entry.objects.count() == 0


def test_24_hours_per_day_at_most(alice_api, store_zero, dashboard):
    assert (
        alice_api.post(LIST, {"date": "2026-11-23", "project": "StoreZero", "hours": 16}, format="json").status_code
        == 201
    )
    assert (
        alice_api.post(LIST, {"date": "2026-11-23", "project": dashboard.pk, "hours": 8}, format="json").status_code
        == 201
    )
    response = alice_api.post(LIST, {"date": "2026-11-23", "project": "StoreZero", "hours": 0.25}, format="json")
    assert response.status_code == 400
    assert "24" in response.json()["fields"]["hours"][0]
    # Another day is fine.
    assert (
        alice_api.post(LIST, {"date": "2026-11-24", "project": "StoreZero", "hours": 24}, format="json").status_code
        == 201
    )
    assert Entry.objects.filter(date="2026-11-23").count() == 2


def test_24_hour_rule_applies_to_edits(alice_api, alice, store_zero):
    Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=20)
    entry = Entry.objects.create(owner=alice, date="2026-11-24", project=store_zero, hours=8)
    response = alice_api.patch(detail(entry.pk), {"date": "2026-11-23"}, format="json")
    assert response.status_code == 400
    assert "hours" in response.json()["fields"]
    entry.refresh_from_db()
    assert str(entry.date) == "2026-11-24"
    # Editing an entry's own hours does not count it twice.
    assert alice_api.patch(detail(entry.pk), {"hours": 24}, format="json").status_code == 200


def test_other_peoples_entries_are_invisible(as_user, alice, bob, store_zero):
    bobs = Entry.objects.create(owner=bob, date="2026-11-23", project=store_zero, hours=3)
    alice_api = as_user(alice)
    assert alice_api.get(detail(bobs.pk)).status_code == 404
    assert alice_api.patch(detail(bobs.pk), {"hours": 1}, format="json").status_code == 404
    assert alice_api.delete(detail(bobs.pk)).status_code == 404
    assert alice_api.get(LIST).json()["results"] == []
    # A missing id answers exactly the same way, so ids do not leak.
    missing = alice_api.get(detail(bobs.pk + 1000))
    assert missing.status_code == 404
    assert (
        missing.json()
        == alice_api.get(detail(bobs.pk)).json()
        == {
            "error": "not_found",
            "error_description": "No such resource.",
        }
    )
    bobs.refresh_from_db()
    assert bobs.hours == 3


def test_edit_own_entry_is_audited(alice_api, alice, store_zero, dashboard):
    entry = Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=3)
    response = alice_api.patch(detail(entry.pk), {"project": "Auth0 Dashboard", "notes": "moved"}, format="json")
    assert response.status_code == 200
    assert (response.json()["project_name"], response.json()["notes"], response.json()["hours"]) == (
        "Auth0 Dashboard",
        "moved",
        3,
    )
    audit = EntryAudit.objects.get(entry=entry, action="updated")
    assert audit.changes["project"] == {"before": "StoreZero", "after": "Auth0 Dashboard"}
    assert audit.actor == alice


def test_bad_patch_writes_nothing(alice_api, alice, store_zero):
    entry = Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=3)
    response = alice_api.patch(detail(entry.pk), {"notes": "fine", "hours": 30}, format="json")
    assert response.status_code == 400
    entry.refresh_from_db()
    assert (entry.notes, entry.hours) == ("", 3)


def test_approved_entry_is_locked(alice_api, alice, carol, store_zero):
    entry = decided_entry(owner=alice, by=carol, project=store_zero, date="2026-11-23", hours=3)
    response = alice_api.patch(detail(entry.pk), {"hours": 4}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "entry_locked"
    response = alice_api.delete(detail(entry.pk))
    assert response.status_code == 409
    entry.refresh_from_db()
    assert entry.hours == 3


def test_editing_a_rejected_entry_resubmits_it(alice_api, alice, carol, store_zero):
    entry = decided_entry(
        owner=alice,
        by=carol,
        project=store_zero,
        date="2026-11-23",
        hours=3,
        status=EntryStatus.REJECTED,
        comment="wrong project",
    )
    response = alice_api.patch(detail(entry.pk), {"project": "StoreZero", "hours": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.json()["decided_by"] is None


def test_delete_own_entry(alice_api, alice, store_zero):
    entry = Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=3)
    assert alice_api.delete(detail(entry.pk)).status_code == 204
    assert not Entry.objects.filter(pk=entry.pk).exists()
    audit = EntryAudit.objects.get(entry_uuid=entry.uuid, action="deleted")
    assert audit.changes["before"]["hours"] == "3.00"
    assert alice_api.get(detail(entry.pk)).status_code == 404


def test_filters(alice_api, alice, store_zero, dashboard, carol):
    Entry.objects.create(owner=alice, date="2026-11-20", project=store_zero, hours=1)
    Entry.objects.create(owner=alice, date="2026-11-23", project=dashboard, hours=2)
    decided_entry(owner=alice, by=carol, project=store_zero, date="2026-11-25", hours=3)

    def hours(query: str) -> list[float]:
        response = alice_api.get(LIST + query)
        assert response.status_code == 200, response.content
        return [e["hours"] for e in response.json()["results"]]

    assert hours("") == [3, 2, 1]
    assert hours("?from=2026-11-21") == [3, 2]
    assert hours("?to=2026-11-23") == [2, 1]
    assert hours("?from=2026-11-21&to=2026-11-24") == [2]
    assert hours(f"?project={store_zero.pk}") == [3, 1]
    assert hours("?status=approved") == [3]
    assert hours("?status=pending") == [2, 1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=someday", "from"),
        ("?to=2026-02-30", "to"),
        ("?status=lost", "status"),
        ("?project=abc", "project"),
        ("?project=999999", "project"),
    ],
)
def test_bad_filters(alice_api, query, field):
    response = alice_api.get(LIST + query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_cursor_pagination_walks_every_entry_once(alice_api, alice, store_zero):
    Entry.objects.bulk_create(
        [
            Entry(owner=alice, date=f"2026-10-{day:02d}", project=store_zero, hours=1, uuid=uuid.uuid4())
            for day in range(1, 31)
        ]
        + [Entry(owner=alice, date="2026-10-15", project=store_zero, hours=1, uuid=uuid.uuid4()) for _ in range(5)]
    )
    seen: list[int] = []
    url = LIST + "?page_size=7"
    while url:
        body = alice_api.get(url).json()
        seen += [e["id"] for e in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 35


def test_projects_and_me(alice_api, alice, store_zero, dashboard):
    Project.objects.create(name="Archived", active=False)
    assert alice_api.get("/api/projects").json() == [
        {"id": dashboard.pk, "name": "Auth0 Dashboard", "last_used": None},
        {"id": store_zero.pk, "name": "StoreZero", "last_used": None},
    ]
    me = alice_api.get("/api/me").json()
    assert me == {
        "sub": alice.sub,
        "kind": "user",
        "id": alice.pk,
        "name": "Alice Employee",
        "email": alice.email,
        "employee_number": "E001",
        "client_id": "test-client",
        "scopes": ["approve:timesheets", "create:timesheets", "delete:timesheets", "read:timesheets"],
    }


def test_machine_client_cannot_create_an_entry_of_its_own(as_machine, store_zero):
    client = as_machine(scopes=["create:timesheets", "read:timesheets"])
    response = client.post(LIST, {"date": "2026-11-23", "project": "StoreZero", "hours": 1}, format="json")
    assert response.status_code == 403
    assert "upload" in response.json()["error_description"]
    assert client.get(LIST).json()["results"] == []
    assert Entry.objects.count() == 0
