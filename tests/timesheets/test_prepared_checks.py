"""entry_create's prepared checks (one query under the owner's lock) and the prepared project lookup read what the
ORM's queries read."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from timesheets import selectors
from timesheets.models import Entry, Project, Week, WeekState, monday_of
from timesheets.services.entries import create_checks, hours_booked, lock_owners, locked_weeks

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 18)  # a Wednesday


def _orm_checks(owner, entry_uuid, date):
    existing = Entry.objects.filter(owner=owner, uuid=entry_uuid).values_list("pk", flat=True).first()
    locked = locked_weeks(owner_ids={owner.pk}, mondays={monday_of(date)})
    return existing, locked.get((owner.pk, monday_of(date))), hours_booked(owner_id=owner.pk, date=date)


@pytest.mark.parametrize("week_state", [None, WeekState.SUBMITTED, WeekState.APPROVED, WeekState.REJECTED])
def test_create_checks_read_what_the_orm_reads(alice, bob, carol, store_zero, week_state):
    mine = Entry.objects.create(owner=alice, date=DAY, project=store_zero, hours=7.25)
    Entry.objects.create(owner=alice, date=DAY, project=store_zero, hours=0.5)
    Entry.objects.create(owner=alice, date=DAY + dt.timedelta(days=1), project=store_zero, hours=3)
    others = Entry.objects.create(owner=bob, date=DAY, project=store_zero, hours=8)
    if week_state is not None:
        decided = week_state in (WeekState.APPROVED, WeekState.REJECTED)
        Week.objects.create(
            owner=alice,
            monday=monday_of(DAY),
            state=week_state,
            submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            decided_by=carol if decided else None,
            decided_at=dt.datetime(2026, 11, 21, tzinfo=dt.UTC) if decided else None,
            comment="Missing Friday" if week_state == WeekState.REJECTED else "",
        )
    cases = [
        (mine.uuid, DAY),  # an entry of hers with that uuid
        (others.uuid, DAY),  # bob's uuid is not hers
        (uuid.uuid4(), DAY + dt.timedelta(days=1)),
        (uuid.uuid4(), DAY + dt.timedelta(days=7)),  # the next week, no entries
    ]
    for entry_uuid, date in cases:
        with transaction.atomic():
            lock_owners({alice.pk})
            got = create_checks(owner_id=alice.pk, uuid=entry_uuid, date=date)
        assert got == _orm_checks(alice, entry_uuid, date), (entry_uuid, date)
        assert str(got[2]) == str(_orm_checks(alice, entry_uuid, date)[2])  # the same Decimal text in messages
    assert create_checks(owner_id=alice.pk, uuid=mine.uuid, date=DAY)[0] == mine.pk


def test_creating_an_entry_takes_the_lock_then_one_query_of_checks(as_user, alice, store_zero):
    client = as_user(alice)
    client.get("/api/me")  # the caller's row is cached from here on
    body = {"date": "2026-11-18", "project": store_zero.pk, "hours": 1}
    with CaptureQueriesContext(connection) as captured:
        assert client.post("/api/timesheets", body, format="json").status_code == 201
    sql = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]
    # project, the owner's lock, the checks, the entry, its audit row
    assert len(sql) == 5, sql
    assert 'FROM "authn_user"' in sql[1] and "timesheets_week" in sql[2] and "SUM" in sql[2]
    assert sql[3].startswith('INSERT INTO "timesheets_entry"') and sql[4].startswith(
        'INSERT INTO "timesheets_entryaudit"'
    )


@pytest.mark.parametrize("active_only", [True, False])
def test_a_project_by_id_is_what_the_orm_finds(store_zero, dashboard, active_only):
    dashboard.active = False
    dashboard.save()
    for project in (store_zero, dashboard):
        expected = Project.objects.filter(pk=project.pk, **({"active": True} if active_only else {})).first()
        got = selectors.project_find(ref=project.pk, active_only=active_only)
        if expected is None:
            assert got is None
            continue
        assert (got.pk, got.name, got.active) == (expected.pk, expected.name, expected.active)
        assert got.active is expected.active  # a bool, not SQLite's 0 or 1
        assert got.created_at == expected.created_at  # not read by the query: loaded when asked for
        assert got._state.adding is False and got._state.db == "default"


@pytest.mark.parametrize("ref", [0, -1, 2**63, 2**70, True, "", "  "])
def test_an_id_out_of_range_or_no_ref_finds_no_project(store_zero, ref):
    with CaptureQueriesContext(connection) as queries:
        assert selectors.project_find(ref=ref, active_only=False) is None
    assert len(queries) == 0


def _orm_find(ref, active_only):
    """project_find as it was, with the ORM: what the prepared lookup must find."""
    projects = selectors.project_list_active() if active_only else Project.objects.all()
    if isinstance(ref, int):
        return projects.filter(pk=ref).first()
    return projects.filter(name__iexact=ref.strip()).first()


NAMES = ["Store Zero", "50% off", "5000 off", "a_b", "axb", "back\\slash", "Ünïcode", "quote's"]


@pytest.mark.parametrize("active_only", [True, False])
def test_a_project_by_name_is_what_the_orm_finds(active_only):
    projects = [Project.objects.create(name=name, active=name != "Store Zero") for name in NAMES]
    refs = [*NAMES, "store zero", " 50% off ", "50%", "5_00 off", "a%", "A_B", "back\\", "%", "_", "nothing"]
    refs += [project.pk for project in projects]
    for ref in refs:
        expected = _orm_find(ref, active_only)
        got = selectors.project_find(ref=ref, active_only=active_only)
        assert (got and (got.pk, got.name, got.active)) == (expected and (expected.pk, expected.name, expected.active))
    assert selectors.project_find(ref="50%", active_only=active_only) is None  # a LIKE wildcard is no wildcard


def test_an_entry_naming_a_project_id_out_of_range_is_a_400(as_user, alice, store_zero):
    body = {"date": "2026-11-18", "project": 2**70, "hours": 1}
    response = as_user(alice, scopes=["create:timesheets"]).post("/api/timesheets", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"project": [f"Unknown project '{2**70}'."]}
    assert not Entry.objects.exists()
