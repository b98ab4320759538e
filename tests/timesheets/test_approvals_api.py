"""Managers' decisions through /api/approvals."""

from __future__ import annotations

import pytest

from tests.support.entries import decided_entry
from timesheets.models import Entry, EntryAudit

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol_api(as_user, carol):
    return as_user(carol, scopes=["read:timesheets", "approve:timesheets"])


@pytest.fixture
def entries(alice, bob, carol, store_zero):
    return {
        "alice": Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=8),
        "bob": Entry.objects.create(owner=bob, date="2026-11-22", project=store_zero, hours=6),
        "carol": Entry.objects.create(owner=carol, date="2026-11-21", project=store_zero, hours=5),
    }


def test_queue_lists_pending_entries_of_others_oldest_first(carol_api, entries, carol):
    decided = decided_entry(
        owner=entries["alice"].owner, by=carol, project=entries["alice"].project, date="2026-11-10", hours=1
    )
    body = carol_api.get("/api/approvals").json()
    ids = [e["id"] for e in body["results"]]
    assert ids == [entries["bob"].pk, entries["alice"].pk]
    assert decided.pk not in ids
    assert body["results"][0]["owner"]["email"] == "bob@abc.example"


def test_approve(carol_api, entries, carol):
    entry = entries["alice"]
    response = carol_api.put(f"/api/approvals/{entry.pk}", {"status": "approved", "comment": "ok"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"]["email"] == carol.email
    assert body["decision_comment"] == "ok"
    assert body["decided_at"]
    audit = EntryAudit.objects.get(entry=entry, action="approved")
    assert (audit.actor, audit.comment, audit.client_id) == (carol, "ok", "test-client")


def test_reject_needs_a_comment(carol_api, entries):
    entry = entries["alice"]
    response = carol_api.put(f"/api/approvals/{entry.pk}", {"status": "rejected"}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()["fields"]
    entry.refresh_from_db()
    assert entry.status == "pending"
    response = carol_api.put(
        f"/api/approvals/{entry.pk}", {"status": "rejected", "comment": "Wrong project"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert EntryAudit.objects.filter(entry=entry, action="rejected", comment="Wrong project").count() == 1


def test_nobody_approves_their_own_entries(carol_api, entries):
    entry = entries["carol"]
    response = carol_api.put(f"/api/approvals/{entry.pk}", {"status": "approved"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == "self_approval"
    entry.refresh_from_db()
    assert entry.status == "pending"
    assert not EntryAudit.objects.filter(entry=entry, action="approved").exists()


def test_only_pending_entries_are_decided(carol_api, entries):
    entry = entries["bob"]
    assert carol_api.put(f"/api/approvals/{entry.pk}", {"status": "approved"}, format="json").status_code == 200
    response = carol_api.put(f"/api/approvals/{entry.pk}", {"status": "rejected", "comment": "no"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "already_decided"
    entry.refresh_from_db()
    assert entry.status == "approved"


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "status"), ({"status": "maybe"}, "status"), ({"status": "approved", "comment": "x" * 1001}, "comment")],
)
def test_bad_decision_input(carol_api, entries, body, field):
    response = carol_api.put(f"/api/approvals/{entries['bob'].pk}", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_unknown_entry(carol_api, entries):
    assert carol_api.put("/api/approvals/987654", {"status": "approved"}, format="json").status_code == 404


def test_machine_client_cannot_decide(as_machine, entries):
    client = as_machine(scopes=["approve:timesheets"])
    response = client.put(f"/api/approvals/{entries['bob'].pk}", {"status": "approved"}, format="json")
    assert response.status_code == 403
    entries["bob"].refresh_from_db()
    assert entries["bob"].status == "pending"
