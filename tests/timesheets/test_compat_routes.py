"""The root routes speak exactly the scenario's sample clients' format."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.support.entries import decided_entry
from timesheets.models import Entry

pytestmark = pytest.mark.django_db

SAMPLE_KEYS = ["id", "user_id", "date", "project", "hours", "approved"]


def streamed_json(response):
    """The lists are streamed (StreamingHttpResponse has no .json())."""
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/json"
    return json.loads(b"".join(response.streaming_content))


def test_get_timesheets_is_a_bare_array(as_user, alice, bob, carol, store_zero):
    mine = Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=7.5)
    approved = decided_entry(owner=alice, by=carol, project=store_zero, date="2026-11-20", hours=8)
    Entry.objects.create(owner=bob, date="2026-11-23", project=store_zero, hours=1)
    response = as_user(alice).get("/timesheets")
    assert streamed_json(response) == [
        {
            "id": mine.pk,
            "user_id": "alice@abc.example",
            "date": "2026-11-23",
            "project": "StoreZero",
            "hours": 7.5,
            "approved": False,
        },
        {
            "id": approved.pk,
            "user_id": "alice@abc.example",
            "date": "2026-11-20",
            "project": "StoreZero",
            "hours": 8.0,
            "approved": True,
        },
    ]


def test_post_timesheets_answers_with_the_sample_object(as_user, alice, store_zero):
    response = as_user(alice).post(
        "/timesheets", {"date": "2026-11-23", "project": "StoreZero", "hours": 5}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert list(body) == SAMPLE_KEYS
    assert body == {
        "id": body["id"],
        "user_id": "alice@abc.example",
        "date": "2026-11-23",
        "project": "StoreZero",
        "hours": 5.0,
        "approved": False,
    }


def test_the_sample_cron_job_body(as_machine, store_zero, db):
    from authn.models import User

    User.objects.create(username="james", sub="auth0|james", email="james@abc.example", employee_number="007")
    body = {"user_id": "007", "date": "2017-05-10T17:40:20.095Z", "project": "StoreZero", "hours": 5}
    response = as_machine().post("/timesheets/upload", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": response.json()["id"],
        "user_id": "james@abc.example",
        "date": "2017-05-10",
        "project": "StoreZero",
        "hours": 5.0,
        "approved": False,
    }
    # The cron job runs again: nothing new.
    again = as_machine().post("/timesheets/upload", body, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    assert Entry.objects.count() == 1


def test_upload_a_list_answers_with_a_list(as_machine, alice, store_zero):
    body = [{"user_id": "alice@abc.example", "date": "2026-11-23", "project": "StoreZero", "hours": h} for h in (1, 2)]
    response = as_machine().post("/timesheets/upload", body, format="json")
    assert response.status_code == 201
    assert [list(e) for e in response.json()] == [SAMPLE_KEYS, SAMPLE_KEYS]


def test_approvals_and_approve(as_user, alice, bob, carol, store_zero):
    entry = Entry.objects.create(owner=bob, date="2026-11-23", project=store_zero, hours=3)
    Entry.objects.create(owner=carol, date="2026-11-23", project=store_zero, hours=3)
    manager = as_user(carol, scopes=["approve:timesheets"])
    assert streamed_json(manager.get("/approvals")) == [
        {
            "id": entry.pk,
            "user_id": "bob@abc.example",
            "date": "2026-11-23",
            "project": "StoreZero",
            "hours": 3.0,
            "approved": False,
        }
    ]
    response = manager.put(f"/approvals/{entry.pk}")
    assert response.status_code == 200
    assert response.json()["approved"] is True
    assert streamed_json(manager.get("/approvals")) == []


def test_compat_reject(as_user, bob, carol, store_zero):
    entry = Entry.objects.create(owner=bob, date="2026-11-23", project=store_zero, hours=3)
    manager = as_user(carol, scopes=["approve:timesheets"])
    response = manager.put(f"/approvals/{entry.pk}", {"approved": False, "comment": "Duplicate"}, format="json")
    assert response.status_code == 200
    assert response.json()["approved"] is False
    entry.refresh_from_db()
    assert (entry.status, entry.decision_comment) == ("rejected", "Duplicate")


def test_compat_errors_use_the_api_error_shape(as_user, alice, store_zero):
    response = as_user(alice).post(
        "/timesheets", {"date": "2026-11-23", "project": "StoreZero", "hours": 25}, format="json"
    )
    assert response.status_code == 400
    assert "hours" in response.json()["fields"]


@pytest.mark.parametrize("approved", [0, 1, "true", "yes", None])
def test_a_decision_takes_only_a_json_boolean(as_user, alice, carol, store_zero, approved):
    from timesheets.services import entry_create

    entry, _ = entry_create(owner=alice, date=dt.date(2026, 11, 23), project=store_zero, hours=2)
    carol_api = as_user(carol, scopes=["approve:timesheets"])
    response = carol_api.put(f"/approvals/{entry.pk}", {"approved": approved, "comment": "x"}, format="json")
    assert response.status_code == 400, response.content
    assert "approved" in response.json()["fields"]
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_a_decision_with_no_body_approves_and_a_null_body_is_refused(as_user, alice, carol, store_zero):
    from timesheets.services import entry_create

    entry, _ = entry_create(owner=alice, date=dt.date(2026, 11, 23), project=store_zero, hours=2)
    carol_api = as_user(carol, scopes=["approve:timesheets"])
    refused = carol_api.put(f"/approvals/{entry.pk}", data="null", content_type="application/json")
    assert refused.status_code == 400, refused.content
    entry.refresh_from_db()
    assert entry.status == "pending"
    approved = carol_api.put(f"/approvals/{entry.pk}")
    assert (approved.status_code, approved.json()["approved"]) == (200, True)
