"""The lists' fast output writes the very bytes the serializers and DRF's JSONRenderer write."""

from __future__ import annotations

import json

import pytest
from rest_framework.renderers import JSONRenderer

from timesheets import selectors
from timesheets.api import compat
from timesheets.api.serializers import CompatEntrySerializer, EntrySerializer
from timesheets.models import Entry, EntryStatus

pytestmark = pytest.mark.django_db


def render(data) -> bytes:
    return JSONRenderer().render(data)


@pytest.fixture
def varied_entries(alice, bob, carol, store_zero, dashboard):
    """Entries covering each shape: decided or not, people with and without names and numbers, odd text."""
    bob.name = ""
    bob.first_name, bob.last_name = "Robert", "Builder"
    bob.employee_number = None
    bob.save()
    carol.name = ""
    carol.email = ""
    carol.save()
    alice.name = 'Alice "Al" \\ Ånström \u2029 😀'
    alice.save()
    dashboard.name = 'Dash "board" \\ </script> \t'
    dashboard.save()
    Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=7.5, notes="plain")
    Entry.objects.create(
        owner=alice, date="2026-11-22", project=store_zero, hours=1.5, notes="back\\slash \x01\x1f\x7f 😀 \u2029"
    )
    Entry.objects.create(
        owner=alice, date="2026-11-22", project=dashboard, hours=0.25, notes='ünïcode \u2028 "quoted" \n', source="pwa"
    )
    Entry.objects.create(
        owner=alice,
        date="2026-11-21",
        project=store_zero,
        hours=8,
        status=EntryStatus.APPROVED,
        decided_by=carol,
        decided_at="2026-11-27T10:00:00.123456Z",
        decision_comment="ok",
    )
    Entry.objects.create(
        owner=alice,
        date="2026-11-20",
        project=store_zero,
        hours=23.75,
        status=EntryStatus.REJECTED,
        decided_by=bob,
        decided_at="2026-11-27T10:00:00Z",
        decision_comment="why",
    )
    Entry.objects.create(owner=bob, date="2026-11-23", project=dashboard, hours=1)
    Entry.objects.create(owner=carol, date="2026-11-19", project=dashboard, hours=2)


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Berlin"])
def test_entry_list_is_what_entry_serializer_writes(as_user, alice, varied_entries, settings, time_zone):
    settings.TIME_ZONE = time_zone
    response = as_user(alice).get("/api/timesheets")
    assert response.status_code == 200
    expected = EntrySerializer(selectors.entry_list(actor=alice), many=True).data
    assert response.content == render({"next": None, "previous": None, "results": expected})
    hours = [e["hours"] for e in json.loads(response.content)["results"]]
    assert hours == [7.5, 0.25, 1.5, 8.0, 23.75]  # numbers, not strings


def test_entry_list_pages_are_what_entry_serializer_writes(as_user, alice, varied_entries):
    client = as_user(alice)
    first = client.get("/api/timesheets?page_size=3").json()
    second = client.get(first["next"]).json()
    entries = list(selectors.entry_list(actor=alice))
    assert json.loads(render(EntrySerializer(entries[:3], many=True).data)) == first["results"]
    assert json.loads(render(EntrySerializer(entries[3:], many=True).data)) == second["results"]


def test_approval_list_is_what_entry_serializer_writes(as_user, alice, carol, varied_entries):
    response = as_user(carol, scopes=["approve:timesheets"]).get("/api/approvals")
    assert response.status_code == 200
    expected = EntrySerializer(selectors.approval_queue(actor=carol), many=True).data
    assert len(expected) == 4
    assert response.content == render({"next": None, "previous": None, "results": expected})


def streamed(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def test_compat_list_is_what_compat_serializer_writes(as_user, alice, bob, varied_entries):
    bob.email = ""
    bob.save()
    body = streamed(as_user(alice).get("/timesheets"))
    assert body == render(CompatEntrySerializer(selectors.entry_list(actor=alice), many=True).data)


def test_compat_approvals_are_what_compat_serializer_writes(as_user, bob, carol, varied_entries):
    bob.email = ""  # user_id falls back to... the sub, since bob has no employee number either
    bob.save()
    body = streamed(as_user(carol, scopes=["approve:timesheets"]).get("/approvals"))
    assert body == render(CompatEntrySerializer(selectors.approval_queue(actor=carol), many=True).data)
    assert b'"user_id":"auth0|bob"' in body


def test_an_empty_compat_list_is_an_empty_array(as_user, alice):
    assert streamed(as_user(alice).get("/timesheets")) == b"[]"


def test_a_long_compat_list_is_streamed_in_bounded_chunks(as_user, alice, store_zero, monkeypatch):
    monkeypatch.setattr(compat, "STREAM_BATCH_ROWS", 7)
    Entry.objects.bulk_create(
        Entry(owner=alice, date=f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}", project=store_zero, hours=1)
        for n in range(50)
    )
    response = as_user(alice).get("/timesheets")
    chunks = list(response.streaming_content)
    # "[", then 50 rows in chunks of at most 7, then "]": nothing builds the whole list first.
    assert len(chunks) == 2 + 8
    body = b"".join(chunks)
    assert body == render(CompatEntrySerializer(selectors.entry_list(actor=alice), many=True).data)


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Berlin"])
def test_a_created_entry_is_what_entry_serializer_writes(as_user, alice, store_zero, settings, time_zone):
    settings.TIME_ZONE = time_zone
    body = {"date": "2026-11-23", "project": "StoreZero", "hours": 7.5, "notes": 'ünïcode \u2028 "q"'}
    response = as_user(alice).post("/api/timesheets", body, format="json")
    assert response.status_code == 201
    entry = Entry.objects.select_related("project", "owner", "decided_by").get()
    assert response.content == render(EntrySerializer(entry).data)
    again = as_user(alice).post("/api/timesheets", {**body, "uuid": str(entry.uuid)}, format="json")
    assert again.status_code == 200 and again.content == response.content


def test_a_decided_entry_returned_again_is_what_entry_serializer_writes(as_user, alice, varied_entries):
    entry = Entry.objects.select_related("project", "owner", "decided_by").get(decision_comment="ok")
    body = {"date": "2026-11-21", "project": entry.project_id, "hours": 8, "uuid": str(entry.uuid)}
    response = as_user(alice).post("/api/timesheets", body, format="json")
    assert response.status_code == 200
    assert response.content == render(EntrySerializer(entry).data)


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Berlin"])
def test_an_upload_answer_is_what_entry_serializer_writes(
    as_machine, alice, bob, carol, store_zero, dashboard, settings, time_zone
):
    """New entries of two people, and on a second upload one of them decided since (returned, not created)."""
    settings.TIME_ZONE = time_zone
    bob.name, bob.employee_number = "", None
    bob.save()
    items = [
        {"user_id": "E001", "date": "2026-11-23", "project": "StoreZero", "hours": 7.5, "notes": 'ü \u2028 "q"'},
        {"user_id": "bob@abc.example", "date": "2026-11-22", "project": dashboard.pk, "hours": 0.25},
    ]
    batch = as_machine()
    first = batch.post("/api/timesheets/upload", items, format="json")
    assert first.status_code == 201, first.content
    entries = list(Entry.objects.select_related("project", "owner", "decided_by").order_by("owner_id"))
    assert first.content == render({"created": 2, "existing": 0, "entries": EntrySerializer(entries, many=True).data})
    Entry.objects.filter(owner=alice).update(
        status=EntryStatus.APPROVED, decided_by=carol, decided_at="2026-11-27T10:00:00.5Z", decision_comment="ok"
    )
    again = batch.post("/api/timesheets/upload", items, format="json")
    assert again.status_code == 200, again.content
    entries = list(Entry.objects.select_related("project", "owner", "decided_by").order_by("owner_id"))
    assert again.content == render({"created": 0, "existing": 2, "entries": EntrySerializer(entries, many=True).data})
