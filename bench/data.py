"""The bench's data: named people, 200 employees, 5 projects, and entries generated in SQL.

Every row is valid for the model's constraints: quarter hours, at most one filler
entry per employee and day (so never more than 24 h a day), decided rows carry
decided_by/decided_at, and the decider (carol) never owns a filler entry.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from authn.models import User
from timesheets.models import Entry, EntryAudit, EntrySource, EntryStatus, Project
from timesheets.services.entries import entry_snapshot
from timesheets.services.provisioning import manager_admin_access_grant

EMPLOYEES = 200
PROJECTS = ("StoreZero", "Payroll", "Warehouse", "Website", "Support")
FIRST_DAY = dt.date(2000, 1, 1)
BATCH_CLIENT_ID = "bench-batch"


@dataclass(frozen=True)
class People:
    alice: User  # owns 10 entries: the API list at 100 rows, GET /timesheets with 10
    frank: User  # owns 50 entries: the API list at 10,000 and 1,000,000 rows
    heidi: User  # owns 5,000 entries: GET /timesheets with 5,000
    dave: User  # POSTs entries (deleted after each repetition)
    carol: User  # manager: approvals, the admin (staff, in the Managers group)
    carol_password: str
    first_employee_id: int
    first_project_id: int
    projects: dict[str, Project]


def _user(username: str, **extra: object) -> User:
    return User.objects.create(
        username=username, sub=f"auth0|bench-{username}", email=f"{username}@bench.example", **extra
    )


def create_people() -> People:
    projects = Project.objects.bulk_create([Project(name=name) for name in PROJECTS])
    User.objects.bulk_create(
        [
            User(
                username=f"emp{n:03d}",
                sub=f"auth0|bench-emp{n:03d}",
                email=f"emp{n:03d}@bench.example",
                employee_number=f"E{n:03d}",
                password="!",
            )
            for n in range(1, EMPLOYEES + 1)
        ]
    )
    employee_ids = list(
        User.objects.filter(employee_number__startswith="E").order_by("id").values_list("id", flat=True)
    )
    project_ids = sorted(p.pk for p in Project.objects.all())
    # The SQL below maps row k to employee first + k % 200 and project first + k % 5.
    assert employee_ids == list(range(employee_ids[0], employee_ids[0] + EMPLOYEES)), "employee ids not contiguous"
    assert project_ids == list(range(project_ids[0], project_ids[0] + len(PROJECTS))), "project ids not contiguous"
    carol_password = secrets.token_urlsafe(16)
    carol = _user("carol", name="Carol Manager")
    carol.set_password(carol_password)
    carol.save(update_fields=["password"])
    manager_admin_access_grant(user=carol)
    return People(
        alice=_user("alice"),
        frank=_user("frank"),
        heidi=_user("heidi"),
        dave=_user("dave"),
        carol=carol,
        carol_password=carol_password,
        first_employee_id=employee_ids[0],
        first_project_id=project_ids[0],
        projects={p.name: p for p in projects},
    )


def _status(i: int) -> str:
    return EntryStatus.PENDING if i % 10 < 6 else EntryStatus.APPROVED if i % 10 < 9 else EntryStatus.REJECTED


def give_entries(people: People, owner: User, count: int) -> None:
    """`count` entries for one named person, one a day from FIRST_DAY, statuses mixed like the filler."""
    decided_at = dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC)
    projects = list(people.projects.values())
    Entry.objects.bulk_create(
        [
            Entry(
                owner=owner,
                date=FIRST_DAY + dt.timedelta(days=i),
                project=projects[i % len(projects)],
                hours=Decimal((i * 7) % 32 + 1) / 4,
                status=_status(i),
                decided_by=None if _status(i) == EntryStatus.PENDING else people.carol,
                decided_at=None if _status(i) == EntryStatus.PENDING else decided_at,
                decision_comment="Wrong project" if _status(i) == EntryStatus.REJECTED else "",
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


_STATUS_SQL = "CASE WHEN k %% 10 < 6 THEN 'pending' WHEN k %% 10 < 9 THEN 'approved' ELSE 'rejected' END"

_SQLITE_FILLER = f"""
WITH RECURSIVE seq(k) AS (SELECT %s UNION ALL SELECT k + 1 FROM seq WHERE k + 1 < %s)
INSERT INTO {Entry._meta.db_table} (owner_id, date, project_id, hours, notes, status, decided_by_id, decided_at,
    decision_comment, uuid, source, client_id, created_at, updated_at, version)
SELECT %s + k %% 200, date('2000-01-01', '+' || (k / 200) || ' days'), %s + k %% 5, ((k * 7) %% 32 + 1) * 0.25, '',
    {_STATUS_SQL},
    CASE WHEN k %% 10 < 6 THEN NULL ELSE %s END,
    CASE WHEN k %% 10 < 6 THEN NULL ELSE date('2000-01-01', '+' || (k / 200 + 3) || ' days') || ' 09:00:00' END,
    CASE WHEN k %% 10 = 9 THEN 'Wrong project' ELSE '' END,
    lower(hex(randomblob(16))), 'api', '',
    date('2000-01-01', '+' || (k / 200) || ' days') || ' 18:00:00',
    date('2000-01-01', '+' || (k / 200) || ' days') || ' 18:00:00',
    1
FROM seq
"""

_POSTGRES_FILLER = f"""
INSERT INTO {Entry._meta.db_table} (owner_id, date, project_id, hours, notes, status, decided_by_id, decided_at,
    decision_comment, uuid, source, client_id, created_at, updated_at, version)
SELECT %s + k %% 200, DATE '2000-01-01' + (k / 200)::int, %s + k %% 5, ((k * 7) %% 32 + 1) * 0.25, '',
    {_STATUS_SQL},
    CASE WHEN k %% 10 < 6 THEN NULL ELSE %s END,
    CASE WHEN k %% 10 < 6 THEN NULL ELSE DATE '2000-01-01' + (k / 200 + 3)::int + TIME '09:00' END,
    CASE WHEN k %% 10 = 9 THEN 'Wrong project' ELSE '' END,
    gen_random_uuid(), 'api', '',
    DATE '2000-01-01' + (k / 200)::int + TIME '18:00',
    DATE '2000-01-01' + (k / 200)::int + TIME '18:00',
    1
FROM generate_series(%s, %s - 1) AS k
"""


def add_filler(people: People, start: int, stop: int) -> float:
    """Filler rows k in [start, stop): employee k % 200, one per employee and day. Returns seconds taken."""
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _POSTGRES_FILLER,
                [people.first_employee_id, people.first_project_id, people.carol.pk, start, stop],
            )
        else:
            cursor.execute(
                _SQLITE_FILLER,
                [start, stop, people.first_employee_id, people.first_project_id, people.carol.pk],
            )
    if connection.vendor == "postgresql":
        # What autovacuum does shortly after a bulk load; without it the planner guesses row counts.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Entry._meta.db_table}")
    return time.perf_counter() - began


def entry_count() -> int:
    return Entry.objects.count()


def _execute(sql: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def delete_entries_of(owner: User) -> None:
    """Remove what a POST run wrote (entries and their audit rows), so reads see the same table each time."""
    _execute(f"DELETE FROM {EntryAudit._meta.db_table} WHERE owner_id = %s", [owner.pk])
    _execute(f"DELETE FROM {Entry._meta.db_table} WHERE owner_id = %s", [owner.pk])


def delete_batch_entries() -> None:
    """Remove uploaded and bulk-created rows (source batch) and their audit rows."""
    entries, audits = Entry._meta.db_table, EntryAudit._meta.db_table
    _execute(
        f"DELETE FROM {audits} WHERE entry_id IN (SELECT id FROM {entries} WHERE source = %s)", [EntrySource.BATCH]
    )
    _execute(f"DELETE FROM {entries} WHERE source = %s", [EntrySource.BATCH])


def bulk_create_batch(people: People, first_day: int) -> float:
    """What an upload of 1,000 items must at least do: the same entries and audit rows, bulk_create'd.

    Rows are shaped like upload.lua's (5 per employee, 0.25 h, own dates) and like
    timesheets/services/upload.py writes them (source batch, client id, a
    `created` audit row with the entry's snapshot). Returns seconds.
    """
    project = people.projects["StoreZero"]
    day0 = dt.date(1970, 1, 1) + dt.timedelta(days=first_day)
    began = time.perf_counter()
    with transaction.atomic():
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    owner_id=people.first_employee_id + i % EMPLOYEES,
                    date=day0 + dt.timedelta(days=i // EMPLOYEES),
                    project=project,
                    hours=Decimal("0.25"),
                    uuid=uuid.uuid4(),
                    source=EntrySource.BATCH,
                    client_id=BATCH_CLIENT_ID,
                )
                for i in range(1000)
            ],
            batch_size=1000,
        )
        EntryAudit.objects.bulk_create(
            [
                EntryAudit(
                    entry=entry,
                    entry_uuid=entry.uuid,
                    owner_id=entry.owner_id,
                    action=EntryAudit.Action.CREATED,
                    client_id=BATCH_CLIENT_ID,
                    changes={"after": entry_snapshot(entry)},
                )
                for entry in entries
            ],
            batch_size=1000,
        )
    return time.perf_counter() - began
