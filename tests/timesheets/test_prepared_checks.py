"""entry_create's prepared checks (one query under the owner's lock) read what the ORM's separate queries read."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from timesheets.models import Entry, Week, WeekState, monday_of
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
