"""Batch upload: one entry or many, for any employee, all or nothing, idempotent."""

from __future__ import annotations

import uuid

import pytest

from timesheets.models import Entry, EntryAudit

pytestmark = pytest.mark.django_db

UPLOAD = "/api/timesheets/upload"


@pytest.fixture
def batch(as_machine):
    return as_machine()


def item(**overrides):
    return {"user_id": "alice@abc.example", "date": "2026-11-23", "project": "StoreZero", "hours": 4, **overrides}


def test_upload_a_list_for_several_employees(batch, alice, bob, store_zero, dashboard):
    response = batch.post(
        UPLOAD,
        [
            item(),
            item(user_id="E002", project="Auth0 Dashboard", hours=2.5, notes="from SAP"),
            item(user_id="ALICE@ABC.EXAMPLE", date="2026-11-24T17:40:20.095Z"),
        ],
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["existing"]) == (3, 0)
    assert [e["owner"]["email"] for e in body["entries"]] == [
        "alice@abc.example",
        "bob@abc.example",
        "alice@abc.example",
    ]
    assert body["entries"][2]["date"] == "2026-11-24"
    assert Entry.objects.filter(owner=alice).count() == 2
    bob_entry = Entry.objects.get(owner=bob)
    assert (bob_entry.source, bob_entry.client_id, bob_entry.notes) == ("batch", "batch-client", "from SAP")
    assert EntryAudit.objects.filter(action="created", client_id="batch-client").count() == 3


def test_upload_is_idempotent_without_uuids(batch, alice, store_zero):
    payload = [item(), item(), item(date="2026-11-24")]  # two identical rows stay two entries
    first = batch.post(UPLOAD, payload, format="json")
    assert first.status_code == 201
    assert first.json()["created"] == 3
    again = batch.post(UPLOAD, payload, format="json")
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["existing"]) == (0, 3)
    assert [e["id"] for e in again.json()["entries"]] == [e["id"] for e in first.json()["entries"]]
    assert Entry.objects.count() == 3


def test_upload_is_idempotent_with_uuids(batch, alice, store_zero):
    key = str(uuid.uuid4())
    assert batch.post(UPLOAD, item(uuid=key), format="json").status_code == 201
    response = batch.post(UPLOAD, [item(uuid=key), item(date="2026-11-25")], format="json")
    assert (response.json()["created"], response.json()["existing"]) == (1, 1)
    assert Entry.objects.count() == 2


def test_one_bad_item_rejects_the_whole_upload(batch, alice, store_zero):
    response = batch.post(
        UPLOAD,
        [item(), item(user_id="nobody@abc.example"), item(project="Nope", hours=30), item(date="not a date")],
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "upload_rejected"
    # Shape errors are reported first, by index.
    assert body["items"] == [{"index": 3, "fields": {"date": [body["items"][0]["fields"]["date"][0]]}}]
    assert Entry.objects.count() == 0

    response = batch.post(
        UPLOAD, [item(), item(user_id="nobody@abc.example"), item(project="Nope", hours=30)], format="json"
    )
    items = {i["index"]: i["fields"] for i in response.json()["items"]}
    assert set(items) == {1, 2}
    assert "user_id" in items[1]
    assert set(items[2]) == {"project", "hours"}
    assert Entry.objects.count() == 0
    assert EntryAudit.objects.count() == 0


def test_upload_respects_24_hours_per_day_across_the_batch(batch, alice, store_zero):
    Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=10)
    response = batch.post(UPLOAD, [item(hours=8), item(hours=6.25), item(date="2026-11-24", hours=24)], format="json")
    assert response.status_code == 400
    assert [i["index"] for i in response.json()["items"]] == [1]
    assert "hours" in response.json()["items"][0]["fields"]
    assert Entry.objects.count() == 1


def test_duplicate_uuid_within_one_upload(batch, alice, store_zero):
    key = str(uuid.uuid4())
    response = batch.post(UPLOAD, [item(uuid=key), item(uuid=key, hours=1)], format="json")
    assert response.status_code == 400
    assert response.json()["items"] == [{"index": 1, "fields": {"uuid": ["This uuid appears twice in the upload."]}}]


@pytest.mark.parametrize("body", [[], "text", [1, 2], {"entries": []}])
def test_upload_body_shape(batch, alice, store_zero, body):
    response = batch.post(UPLOAD, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] in {"invalid_request", "upload_rejected"}
    assert Entry.objects.count() == 0


def test_upload_size_limit(batch, alice, store_zero):
    response = batch.post(UPLOAD, [item(hours=0.25)] * 1001, format="json")
    assert response.status_code == 400
    assert "1000" in response.json()["fields"]["entries"][0]


def test_inactive_employee_is_not_a_target(batch, alice, store_zero):
    alice.is_active = False
    alice.save()
    response = batch.post(UPLOAD, item(), format="json")
    assert response.status_code == 400
    assert "user_id" in response.json()["items"][0]["fields"]


def test_upload_of_many_rows(batch, alice, bob, store_zero):
    rows = [
        item(user_id=who, date=f"2026-{month:02d}-{day:02d}", hours=0.5)
        for who in ("E001", "E002")
        for month in (1, 2, 3, 4, 5)
        for day in range(1, 29)
    ]
    response = batch.post(UPLOAD, rows, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 280
    assert Entry.objects.count() == 280


def test_a_batch_client_lists_what_it_uploaded_and_nothing_else(as_machine, alice, bob, store_zero):
    Entry.objects.create(owner=bob, date="2026-11-20", project=store_zero, hours=1)  # bob's own, via the app
    uploader = as_machine("uploader", scopes=["batch:upload", "read:timesheets"])
    other = as_machine("other-system", scopes=["batch:upload", "read:timesheets"])
    uploaded = uploader.post(UPLOAD, [item(), item(user_id="E002", hours=2)], format="json").json()["entries"]
    other.post(UPLOAD, item(date="2026-11-26"), format="json")

    listed = uploader.get("/api/timesheets").json()["results"]
    assert sorted(e["id"] for e in listed) == sorted(e["id"] for e in uploaded)
    bobs_own = Entry.objects.get(owner=bob, source="api")
    assert uploader.get(f"/api/timesheets/{bobs_own.pk}").status_code == 404
    assert uploader.get(f"/api/timesheets/{uploaded[0]['id']}").status_code == 200
    assert len(other.get("/api/timesheets").json()["results"]) == 1


@pytest.mark.parametrize("project", ["¹", "٣", "12٣"])
def test_project_names_that_look_numeric_but_are_not_ascii_digits(batch, alice, store_zero, project):
    response = batch.post(UPLOAD, item(project=project), format="json")
    assert response.status_code == 400
    assert response.json()["items"][0]["fields"] == {"project": [f"Unknown project '{project}'."]}
