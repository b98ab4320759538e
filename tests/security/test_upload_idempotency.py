"""Issue 9, finding 3: a batch upload's idempotency look-up must never hand back someone else's entry.

A batch client that sends an employee's email and the uuid of an entry the employee
made elsewhere (the phone app, the API, another client) used to get that entry back
(notes, status, decision) with a 200. Only entries the same client uploaded may match.
"""

from __future__ import annotations

import pytest

from timesheets.models import Entry, EntryAudit, EntrySource

pytestmark = pytest.mark.django_db

UPLOAD = "/api/timesheets/upload"
UUID_TAKEN = "This uuid is already used by another of the employee's entries; choose a new one."


def item(**overrides):
    return {"user_id": "alice@abc.example", "date": "2026-11-23", "project": "StoreZero", "hours": 1, **overrides}


@pytest.fixture
def alices_own(alice, carol, store_zero) -> Entry:
    """An entry alice made in the phone app, rejected by her manager with a private comment."""
    return Entry.objects.create(
        owner=alice,
        date="2026-11-20",
        project=store_zero,
        hours=3,
        notes="doctor's appointment moved",
        source=EntrySource.PWA,
        client_id="pwa-client",
        status="rejected",
        decided_by=carol,
        decided_at="2026-11-21T09:00:00Z",
        decision_comment="talk to me about this one",
    )


@pytest.fixture
def uploaded_by_other_system(as_machine, alice, store_zero) -> Entry:
    response = as_machine("other-system").post(UPLOAD, item(date="2026-11-19"), format="json")
    assert response.status_code == 201
    return Entry.objects.get(client_id="other-system")


@pytest.mark.parametrize("route", [UPLOAD, "/timesheets/upload"])
@pytest.mark.parametrize("as_list", [False, True])
def test_the_uuid_of_an_employees_own_entry_reveals_nothing(as_machine, alices_own, route, as_list):
    payload = item(uuid=str(alices_own.uuid))
    response = as_machine().post(route, [payload] if as_list else payload, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "upload_rejected"
    assert set(body) == {"error", "error_description", "items"}  # no entries, no ids
    assert body["items"] == [{"index": 0, "fields": {"uuid": [UUID_TAKEN]}}]
    text = response.content.decode()
    for secret in ("doctor", "talk to me", "carol", str(alices_own.uuid)):
        assert secret not in text
    assert Entry.objects.count() == 1
    assert not EntryAudit.objects.exists()


def test_another_clients_upload_is_not_returned_either(as_machine, uploaded_by_other_system):
    response = as_machine("batch-client").post(UPLOAD, item(uuid=str(uploaded_by_other_system.uuid)), format="json")
    assert response.status_code == 400
    assert response.json()["items"] == [{"index": 0, "fields": {"uuid": [UUID_TAKEN]}}]


def test_a_clash_rejects_the_whole_batch(as_machine, bob, alices_own):
    response = as_machine().post(
        UPLOAD, [item(), item(user_id="bob@abc.example"), item(uuid=str(alices_own.uuid))], format="json"
    )
    assert response.status_code == 400
    assert [i["index"] for i in response.json()["items"]] == [2]
    assert Entry.objects.count() == 1


def test_the_same_client_still_gets_its_own_upload_back(as_machine, alice, store_zero, alices_own):
    client = as_machine()
    first = client.post(UPLOAD, item(), format="json")
    assert first.status_code == 201
    again = client.post(UPLOAD, item(uuid=first.json()["entries"][0]["uuid"]), format="json")
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["existing"]) == (0, 1)
    assert again.json()["entries"][0]["id"] == first.json()["entries"][0]["id"]
