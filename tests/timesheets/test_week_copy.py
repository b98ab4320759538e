"""POST /api/weeks/{monday}/copy: copy last week into this one, idempotently (issue 11 §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.support.entries import decided_entry
from timesheets import services
from timesheets.models import Entry, EntryAudit, Week
from timesheets.services.weeks import copy_uuid

pytestmark = pytest.mark.django_db

SOURCE = dt.date(2026, 11, 16)
TARGET = dt.date(2026, 11, 23)


def copy_url(monday: dt.date | str) -> str:
    return f"/api/weeks/{monday}/copy"


@pytest.fixture
def alice_api(as_user, alice):
    return as_user(alice)


def log(owner, project, day: dt.date, hours: str, notes: str = "") -> Entry:
    return services.entry_create(owner=owner, date=day, project=project, hours=Decimal(hours), notes=notes)[0]


@pytest.fixture
def last_week(alice, store_zero, dashboard, carol):
    """Monday 8 h StoreZero, Monday 1 h Dashboard, Tuesday 7.5 h, Wednesday a rejected entry."""
    return {
        "mon": log(alice, store_zero, SOURCE, "8", "sprint"),
        "mon2": log(alice, dashboard, SOURCE, "1"),
        "tue": log(alice, store_zero, SOURCE + dt.timedelta(days=1), "7.5"),
        "wed_rejected": decided_entry(
            owner=alice, by=carol, project=store_zero, date="2026-11-18", hours=3, status="rejected", comment="no"
        ),
    }


def test_copies_each_entry_to_the_same_weekday_as_pending(alice_api, alice, last_week):
    response = alice_api.post(copy_url(TARGET), {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["skipped"] == []
    created = [(e["date"], e["project_name"], e["hours"], e["notes"], e["status"]) for e in body["created"]]
    assert created == [
        ("2026-11-23", "StoreZero", 8.0, "sprint", "pending"),
        ("2026-11-23", "Auth0 Dashboard", 1.0, "", "pending"),
        ("2026-11-24", "StoreZero", 7.5, "", "pending"),
    ]
    assert body["created"][0]["uuid"] == str(copy_uuid(last_week["mon"].uuid, TARGET))
    assert all(e["etag"] == '"1"' for e in body["created"])
    assert Entry.objects.filter(owner=alice, date__gte=TARGET).count() == 3
    assert EntryAudit.objects.filter(action="created", entry__date__gte=TARGET, actor=alice).count() == 3


def test_copying_twice_creates_nothing_new(alice_api, alice, last_week):
    first = alice_api.post(copy_url(TARGET), {"days_with_time": "add"}, format="json").json()
    again = alice_api.post(copy_url(TARGET), {"days_with_time": "add"}, format="json")
    assert again.status_code == 200
    assert again.json()["created"] == []
    assert [s["reason"] for s in again.json()["skipped"]] == ["already_copied"] * 3
    assert [s["source"] for s in again.json()["skipped"]] == [last_week[k].pk for k in ("mon", "mon2", "tue")]
    assert [s["date"] for s in again.json()["skipped"]] == ["2026-11-23", "2026-11-23", "2026-11-24"]
    assert Entry.objects.filter(owner=alice, date__gte=TARGET).count() == len(first["created"]) == 3


def test_skip_mode_leaves_days_with_time_alone(alice_api, alice, store_zero, last_week):
    log(alice, store_zero, TARGET, "2")
    body = alice_api.post(copy_url(TARGET), format="json").json()  # no body: skip, from the week before
    assert [(e["date"], e["hours"]) for e in body["created"]] == [("2026-11-24", 7.5)]
    assert [(s["source"], s["reason"]) for s in body["skipped"]] == [
        (last_week["mon"].pk, "day_has_time"),
        (last_week["mon2"].pk, "day_has_time"),
    ]


def test_add_mode_adds_while_the_day_stays_within_24_hours(alice_api, alice, store_zero, last_week):
    log(alice, store_zero, TARGET, "15")
    body = alice_api.post(copy_url(TARGET), {"days_with_time": "add"}, format="json").json()
    # 15 + 8 = 23: copied; + 1 = 24: copied; Tuesday is empty.
    assert [(e["date"], e["hours"]) for e in body["created"]] == [
        ("2026-11-23", 8.0),
        ("2026-11-23", 1.0),
        ("2026-11-24", 7.5),
    ]
    log(alice, store_zero, dt.date(2026, 11, 30), "20")
    later = alice_api.post(
        copy_url("2026-11-30"), {"from": "2026-11-16", "days_with_time": "add"}, format="json"
    ).json()
    assert [(e["date"], e["hours"]) for e in later["created"]] == [("2026-11-30", 1.0), ("2026-12-01", 7.5)]
    assert [(s["source"], s["reason"]) for s in later["skipped"]] == [(last_week["mon"].pk, "day_total_exceeded")]


def test_archived_projects_and_out_of_range_dates_are_skipped(alice_api, alice, settings, dashboard, last_week):
    dashboard.active = False
    dashboard.save()
    body = alice_api.post(copy_url(TARGET), {}, format="json").json()
    assert [(s["source"], s["reason"]) for s in body["skipped"]] == [(last_week["mon2"].pk, "project_inactive")]
    settings.ENTRY_MAX_DAYS_BACK = 0
    body = alice_api.post(copy_url("2026-11-30"), {"from": "2026-11-16"}, format="json").json()
    assert body["created"] == []
    assert {s["reason"] for s in body["skipped"]} == {"date_out_of_range"}


def test_a_locked_target_week_is_a_409_and_nothing_is_written(alice_api, alice, last_week):
    Week.objects.create(owner=alice, monday=TARGET, state="submitted", submitted_at="2026-11-27T17:00:00Z")
    response = alice_api.post(copy_url(TARGET), {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "week_locked"
    assert not Entry.objects.filter(date__gte=TARGET).exists()


@pytest.mark.parametrize(
    ("monday", "body", "field"),
    [
        ("2026-11-24", {}, "monday"),
        ("2026-13-01", {}, "monday"),
        ("2026-11-23", {"from": "2026-11-17"}, "from"),
        ("2026-11-23", {"from": "2026-11-23"}, "from"),
        ("2026-11-23", {"from": "last week"}, "from"),
        ("2026-11-23", {"days_with_time": "merge"}, "days_with_time"),
    ],
)
def test_bad_input_is_a_400_naming_it(alice_api, last_week, monday, body, field):
    response = alice_api.post(copy_url(monday), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert not Entry.objects.filter(date__gte=TARGET).exists()


def test_only_your_own_week_is_copied(as_user, bob, alice, last_week):
    body = as_user(bob).post(copy_url(TARGET), {}, format="json").json()
    assert body == {"created": [], "skipped": []}
    assert not Entry.objects.filter(date__gte=TARGET).exists()


def test_a_machine_token_copies_no_week(as_machine, last_week):
    response = as_machine(scopes=["create:timesheets"]).post(copy_url(TARGET), {}, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"


def test_no_body_takes_the_defaults_and_a_null_body_is_a_400(alice_api, last_week):
    assert alice_api.post(copy_url(TARGET), "null", content_type="application/json").status_code == 400
    assert alice_api.post(copy_url(TARGET), "[]", content_type="application/json").status_code == 400
    assert not Entry.objects.filter(date__gte=TARGET).exists()
    response = alice_api.post(copy_url(TARGET))
    assert response.status_code == 200
    assert len(response.json()["created"]) == 3
