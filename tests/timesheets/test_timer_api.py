"""The running timer at /api/timer: one per person, exactly-once stop, rounding, and the entry rules (issue 11 §3)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from timesheets import services
from timesheets.models import Entry, Timer, Week
from timesheets.services.timers import timer_hours

pytestmark = pytest.mark.django_db

TIMER = "/api/timer"
STOP = "/api/timer/stop"
MONDAY = "2026-11-23"


@pytest.fixture
def alice_api(as_user, alice):
    return as_user(alice)


def start(client, key, *, started_at="2026-11-23T09:00:00+01:00", project="StoreZero", notes="", **extra):
    body = {"uuid": str(key), "project": project, "notes": notes, **extra}
    if started_at is not None:
        body["started_at"] = started_at
    return client.put(TIMER, body, format="json")


def stop(client, key, stopped_at="2026-11-23T10:00:00+01:00"):
    body = {"uuid": str(key)}
    if stopped_at is not None:
        body["stopped_at"] = stopped_at
    return client.post(STOP, body, format="json")


@pytest.mark.parametrize(
    ("elapsed", "hours"),
    [
        (dt.timedelta(0), "0.25"),
        (dt.timedelta(minutes=2), "0.25"),
        (dt.timedelta(minutes=7), "0.25"),  # 0.47 quarters → 0, then the minimum
        (dt.timedelta(minutes=7, seconds=30), "0.25"),  # half a quarter → up
        (dt.timedelta(minutes=22), "0.25"),
        (dt.timedelta(minutes=22, seconds=29), "0.25"),
        (dt.timedelta(minutes=22, seconds=30), "0.5"),  # 1.5 quarters → 2 (halves up)
        (dt.timedelta(minutes=37, seconds=29), "0.5"),
        (dt.timedelta(minutes=37, seconds=30), "0.75"),
        (dt.timedelta(hours=8), "8"),
        (dt.timedelta(hours=23, minutes=59), "24"),
    ],
)
def test_elapsed_time_rounds_to_the_nearest_quarter_hour_halves_up_at_least_a_quarter(elapsed, hours):
    assert timer_hours(elapsed) == Decimal(hours)


def test_no_timer_is_a_204_without_a_body(alice_api):
    response = alice_api.get(TIMER)
    assert response.status_code == 204
    assert response.content == b""


def test_start_show_and_stop(alice_api, alice, store_zero):
    key = uuid.uuid4()
    started = start(alice_api, key, notes="Checkout")
    assert started.status_code == 201, started.content
    timer = {
        "uuid": str(key),
        "project": store_zero.pk,
        "project_name": "StoreZero",
        "notes": "Checkout",
        "started_at": "2026-11-23T09:00:00+01:00",
        "date": MONDAY,
    }
    assert started.json() == timer
    assert alice_api.get(TIMER).json() == timer

    stopped = stop(alice_api, key, "2026-11-23T10:40:00+01:00")  # 1 h 40 min → 1.75 h
    assert stopped.status_code == 201, stopped.content
    entry = stopped.json()
    assert (entry["uuid"], entry["date"], entry["hours"], entry["notes"], entry["project"]) == (
        str(key),
        MONDAY,
        1.75,
        "Checkout",
        store_zero.pk,
    )
    assert entry["source"] == "api" and entry["status"] == "pending"
    assert stopped["ETag"] == entry["etag"] == '"1"'
    assert alice_api.get(TIMER).status_code == 204
    assert not Timer.objects.exists()


def test_stopping_twice_makes_one_entry(alice_api, alice, store_zero):
    key = uuid.uuid4()
    start(alice_api, key)
    first = stop(alice_api, key)
    again = stop(alice_api, key, "2026-11-23T12:00:00+01:00")  # a replay with another time changes nothing
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Entry.objects.filter(owner=alice).count() == 1
    assert Entry.objects.get().hours == Decimal("1")


def test_the_same_uuid_again_updates_the_running_timer(alice_api, store_zero, dashboard):
    key = uuid.uuid4()
    start(alice_api, key)
    again = start(alice_api, key, project=dashboard.pk, notes="moved", started_at="2026-11-23T08:30:00+01:00")
    assert again.status_code == 200
    assert (again.json()["project"], again.json()["notes"], again.json()["started_at"]) == (
        dashboard.pk,
        "moved",
        "2026-11-23T08:30:00+01:00",
    )
    assert Timer.objects.count() == 1


def test_another_uuid_while_one_runs_is_a_409_showing_the_running_one(alice_api, store_zero):
    running = uuid.uuid4()
    start(alice_api, running)
    response = start(alice_api, uuid.uuid4())
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "timer_running"
    assert body["error_description"]
    assert body["timer"]["uuid"] == str(running)
    assert Timer.objects.get().uuid == running


def test_starting_a_stopped_timer_again_is_refused(alice_api, store_zero):
    key = uuid.uuid4()
    start(alice_api, key)
    stop(alice_api, key)
    response = start(alice_api, key)
    assert response.status_code == 409
    assert response.json()["error"] == "timer_stopped"
    assert not Timer.objects.exists()


def test_the_date_is_the_day_in_the_offset_the_client_gave(alice_api, alice, store_zero):
    # 23:30 in New York on Monday is already Tuesday in UTC: the entry is Monday's.
    key = uuid.uuid4()
    started = start(alice_api, key, started_at="2026-11-23T23:30:00-05:00")
    assert started.json()["date"] == MONDAY
    assert started.json()["started_at"] == "2026-11-23T23:30:00-05:00"
    entry = stop(alice_api, key, "2026-11-24T05:00:00Z").json()  # 30 min later, given in UTC
    assert (entry["date"], entry["hours"]) == (MONDAY, 0.5)


def test_z_and_a_default_start_are_accepted(alice_api, settings, store_zero):
    key = uuid.uuid4()
    assert start(alice_api, key, started_at="2026-11-23T08:00:00Z").json()["started_at"] == "2026-11-23T08:00:00+00:00"
    alice_api.delete(TIMER)
    now = start(alice_api, uuid.uuid4(), started_at=None)
    assert now.status_code == 201
    started = dt.datetime.fromisoformat(now.json()["started_at"])
    assert abs(started - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("started_at", "message"),
    [
        ("2026-11-23T09:00:00", "offset"),
        ("yesterday", "ISO 8601"),
        ("0001-01-01T00:00:00+05:00", "out of range"),
    ],
)
def test_a_start_time_without_offset_or_unreadable_is_a_400_naming_it(alice_api, store_zero, started_at, message):
    response = start(alice_api, uuid.uuid4(), started_at=started_at)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["started_at"]
    assert message in response.json()["fields"]["started_at"][0]


def test_a_start_more_than_5_minutes_ahead_is_refused(alice_api, store_zero):
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4)).isoformat()
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)).isoformat()
    assert start(alice_api, uuid.uuid4(), started_at=soon).status_code == 201
    Timer.objects.all().delete()
    response = start(alice_api, uuid.uuid4(), started_at=later)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["started_at"]


def test_the_date_limits_apply_to_the_start(alice_api, settings, store_zero):
    settings.ENTRY_MAX_DAYS_BACK = 3
    response = start(alice_api, uuid.uuid4(), started_at="2026-01-05T09:00:00+01:00")
    assert response.status_code == 400
    assert response.json()["fields"]["started_at"][0].startswith("Time can be logged at most 3 days back")


def test_stopped_before_it_started_is_a_400(alice_api, store_zero):
    key = uuid.uuid4()
    start(alice_api, key)
    response = stop(alice_api, key, "2026-11-23T08:59:00+01:00")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["stopped_at"]
    assert Timer.objects.filter(uuid=key).exists()


def test_a_timer_past_24_hours_is_refused_and_keeps_running(alice_api, store_zero):
    key = uuid.uuid4()
    start(alice_api, key)
    response = stop(alice_api, key, "2026-11-24T09:10:00+01:00")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["stopped_at"]
    assert Timer.objects.filter(uuid=key).exists()


def test_unknown_uuid_is_a_404(alice_api):
    response = stop(alice_api, uuid.uuid4())
    assert response.status_code == 404
    assert response.json()["error"] == "timer_not_found"


def test_the_24_hour_rule_refuses_the_stop_and_the_timer_keeps_running(alice_api, alice, store_zero):
    services.entry_create(owner=alice, date=dt.date(2026, 11, 23), project=store_zero, hours=Decimal("23.5"))
    key = uuid.uuid4()
    start(alice_api, key)
    response = stop(alice_api, key)  # 1 hour more
    assert response.status_code == 400
    assert "at most 24 hours can be logged per day" in response.json()["fields"]["hours"][0]
    assert Timer.objects.filter(uuid=key).exists()
    assert Entry.objects.count() == 1
    assert alice_api.delete(TIMER).status_code == 204  # the person discards it
    assert not Timer.objects.exists()


def test_a_locked_week_refuses_the_stop_with_409(alice_api, alice, store_zero):
    key = uuid.uuid4()
    start(alice_api, key)
    Week.objects.create(owner=alice, monday=MONDAY, state="submitted", submitted_at="2026-11-27T17:00:00Z")
    response = stop(alice_api, key)
    assert response.status_code == 409
    assert response.json()["error"] == "week_locked"
    assert Timer.objects.filter(uuid=key).exists()


def test_the_date_limits_apply_on_stop(alice_api, settings, store_zero):
    key = uuid.uuid4()
    start(alice_api, key)
    settings.ENTRY_MAX_DAYS_BACK = 3  # set since the timer started
    response = stop(alice_api, key)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["date"]
    assert Timer.objects.filter(uuid=key).exists()


def test_an_archived_project_refuses_the_start(alice_api, store_zero):
    store_zero.active = False
    store_zero.save()
    response = start(alice_api, uuid.uuid4(), project=store_zero.pk)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["project"]


def test_discard_only_the_named_timer(alice_api, store_zero):
    key = uuid.uuid4()
    start(alice_api, key)
    assert alice_api.delete(f"{TIMER}?uuid={uuid.uuid4()}").status_code == 204
    assert Timer.objects.filter(uuid=key).exists()
    assert alice_api.delete(f"{TIMER}?uuid={key}").status_code == 204
    assert not Timer.objects.exists()
    assert alice_api.delete(TIMER).status_code == 204  # none runs: still 204
    assert not Entry.objects.exists()


def test_discard_with_a_malformed_uuid_is_a_400(alice_api):
    response = alice_api.delete(f"{TIMER}?uuid=nope")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["uuid"]


def test_one_timer_per_person_is_a_database_constraint(alice, store_zero):
    now = dt.datetime.now(dt.UTC)
    Timer.objects.create(owner=alice, uuid=uuid.uuid4(), project=store_zero, started_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Timer.objects.create(owner=alice, uuid=uuid.uuid4(), project=store_zero, started_at=now)


# --- who may: employee, other employee, manager, machine token, missing scope ----------------------


def test_another_person_neither_sees_nor_stops_nor_discards_your_timer(alice_api, as_user, bob, carol, store_zero):
    key = uuid.uuid4()
    start(alice_api, key)
    for other in (as_user(bob), as_user(carol)):
        assert other.get(TIMER).status_code == 204
        assert stop(other, key).status_code == 404
        assert other.delete(f"{TIMER}?uuid={key}").status_code == 204
        # Their own timer with the same uuid is theirs: uuids are per person.
    assert Timer.objects.get().uuid == key
    assert start(as_user(bob), key).status_code == 201
    assert Timer.objects.count() == 2


@pytest.mark.parametrize(
    ("method", "path", "body", "scopes"),
    [
        ("get", TIMER, None, ["read:timesheets"]),
        ("put", TIMER, {"uuid": str(uuid.uuid4()), "project": "StoreZero"}, ["create:timesheets"]),
        ("post", STOP, {"uuid": str(uuid.uuid4())}, ["create:timesheets"]),
        ("delete", TIMER, None, ["create:timesheets"]),
    ],
)
def test_a_machine_token_runs_no_timer(as_machine, store_zero, method, path, body, scopes):
    client = as_machine(scopes=scopes)
    response = getattr(client, method)(path, body, format="json") if body else getattr(client, method)(path)
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"
