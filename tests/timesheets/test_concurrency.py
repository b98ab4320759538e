"""The 24-hour rule and idempotent creation hold when writes for one person race.

Each race runs the services themselves in two threads, each with its own
database connection. The first writer ("holder") does its write inside a
transaction it keeps open; the second ("contender") starts its write while the
holder's is uncommitted. With the owner's row lock (`lock_owners`) the contender
waits for the lock, then sees the holder's hours and is refused. Without it the
contender reads the day's total without the holder's uncommitted hours and both
writes pass: these tests fail when the lock is removed.

They need a database where two transactions really overlap: PostgreSQL (CI runs
the suite on it). The test waits until PostgreSQL reports the contender blocked
on a lock, or finished, before it lets the holder commit, so the outcome
depends on the lock, not on timing.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from timesheets.errors import UploadRejected
from timesheets.models import Entry
from timesheets.services import (
    UploadItem,
    entries_upload,
    entry_create,
    entry_update,
    timer_start,
    timer_stop,
    week_copy,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
        reason=(
            "SQLite runs every writing transaction with BEGIN IMMEDIATE (config/settings.py), which serialises "
            "all writers, so two writes never overlap and a race cannot show whether the row lock is there; "
            "these tests run on PostgreSQL (.ci/run)."
        ),
    ),
]

DAY = dt.date(2026, 11, 23)
WAIT_SECONDS = 30


@dataclass
class Race:
    holder: Any = None
    contender: Any = None
    contender_waited_for_a_lock: bool = False


def _outcome(write: Callable[[], Any]) -> Any:
    try:
        return write()
    except ValidationError as exc:
        return "refused: " + "; ".join(m for ms in exc.message_dict.values() for m in ms)
    except UploadRejected as exc:
        return "refused: " + "; ".join(m for item in exc.items for ms in item["fields"].values() for m in ms)
    except Exception as exc:
        return f"error: {exc!r}"


def _backend_waits_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def race(holder: Callable[[], Any], contender: Callable[[], Any]) -> Race:
    """Run `contender` while `holder`'s write is done but not committed; commit once the contender waits or ends."""
    result = Race()
    holder_wrote = threading.Event()
    release = threading.Event()
    contender_pid: list[int] = []
    contender_ready = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                result.holder = _outcome(holder)
                holder_wrote.set()
                release.wait(WAIT_SECONDS)
        except Exception as exc:  # the commit itself failing is an outcome too
            result.holder = f"error: {exc!r}"
        finally:
            holder_wrote.set()
            connection.close()

    def contend() -> None:
        try:
            holder_wrote.wait(WAIT_SECONDS)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                contender_pid.append(cursor.fetchone()[0])
            contender_ready.set()
            result.contender = _outcome(contender)
        finally:
            contender_ready.set()
            connection.close()

    holding = threading.Thread(target=hold)
    contending = threading.Thread(target=contend)
    holding.start()
    contending.start()
    try:
        assert contender_ready.wait(WAIT_SECONDS), "the contender never started"
        deadline = time.monotonic() + WAIT_SECONDS
        while contending.is_alive() and time.monotonic() < deadline:
            if contender_pid and _backend_waits_for_a_lock(contender_pid[0]):
                result.contender_waited_for_a_lock = True
                break
            time.sleep(0.02)
    finally:
        release.set()
        holding.join(WAIT_SECONDS)
        contending.join(WAIT_SECONDS)
    assert not holding.is_alive() and not contending.is_alive(), "a writer hung"
    return result


def create(owner, project, hours: str, **kwargs: Any) -> Callable[[], str]:
    def write() -> str:
        _, created = entry_create(owner=owner, date=DAY, project=project, hours=Decimal(hours), **kwargs)
        return "created" if created else "existing"

    return write


def upload(owner, project, hours: str) -> Callable[[], str]:
    def write() -> str:
        item = UploadItem(user_ref=owner.email, date=DAY, project_ref=project.name, hours=Decimal(hours))
        result = entries_upload(items=[item], client_id="batch-client")
        return f"uploaded {result.created_count}"

    return write


def hours_on_day(owner) -> Decimal:
    return sum((e.hours for e in Entry.objects.filter(owner=owner, date=DAY)), Decimal(0))


def test_two_creates_cannot_exceed_24_hours(alice, store_zero) -> None:
    outcome = race(create(alice, store_zero, "13"), create(alice, store_zero, "13"))
    assert outcome.holder == "created"
    assert outcome.contender.startswith("refused: That makes 26.00 hours on 2026-11-23"), outcome
    assert hours_on_day(alice) == Decimal("13")


def test_an_edit_racing_a_create_cannot_exceed_24_hours(alice, store_zero) -> None:
    entry, _ = entry_create(owner=alice, date=DAY, project=store_zero, hours=Decimal("4"))

    def edit() -> str:
        entry_update(entry=entry, actor=alice, hours=Decimal("20"))
        return "updated"

    outcome = race(edit, create(alice, store_zero, "10"))
    assert outcome.holder == "updated"
    assert outcome.contender.startswith("refused: That makes 30.00 hours"), outcome
    assert hours_on_day(alice) == Decimal("20")


def test_an_upload_racing_a_create_cannot_exceed_24_hours(alice, store_zero) -> None:
    outcome = race(upload(alice, store_zero, "13"), create(alice, store_zero, "13"))
    assert outcome.holder == "uploaded 1"
    assert outcome.contender.startswith("refused: That makes 26.00 hours"), outcome
    assert hours_on_day(alice) == Decimal("13")


def test_a_create_racing_an_upload_cannot_exceed_24_hours(alice, store_zero) -> None:
    outcome = race(create(alice, store_zero, "13"), upload(alice, store_zero, "13"))
    assert outcome.holder == "created"
    assert outcome.contender.startswith("refused: That makes 26.00 hours on 2026-11-23"), outcome
    assert hours_on_day(alice) == Decimal("13")


def test_two_people_do_not_wait_for_each_other(alice, bob, store_zero) -> None:
    """The lock is per owner: bob's write goes through while alice's transaction is open."""
    outcome = race(create(alice, store_zero, "13"), create(bob, store_zero, "13"))
    assert (outcome.holder, outcome.contender) == ("created", "created")
    assert not outcome.contender_waited_for_a_lock


def test_creates_with_the_same_uuid_make_one_entry(alice, store_zero) -> None:
    key = uuid.uuid4()
    outcome = race(create(alice, store_zero, "2", uuid=key), create(alice, store_zero, "2", uuid=key))
    assert (outcome.holder, outcome.contender) == ("created", "existing")
    assert Entry.objects.filter(owner=alice, uuid=key).count() == 1


def test_two_edits_with_the_same_if_match_write_once(alice, store_zero) -> None:
    """Both read version "1"; the second, waiting on the row lock, then sees "2" and is refused (412)."""
    entry, _ = entry_create(owner=alice, date=DAY, project=store_zero, hours=Decimal("4"))

    def edit(hours: str) -> Callable[[], str]:
        def write() -> str:
            entry_update(entry=entry, actor=alice, hours=Decimal(hours), if_match='"1"')
            return "updated"

        return write

    outcome = race(edit("5"), edit("6"))
    assert outcome.holder == "updated"
    assert outcome.contender.startswith("error: PreconditionFailed"), outcome
    assert outcome.contender_waited_for_a_lock
    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.hours, stored.version) == (Decimal("5"), 2)


def test_two_stops_of_one_timer_make_one_entry(alice, store_zero) -> None:
    """A phone replaying its queue while another device stops the same timer: one entry, both answered with it."""
    key = uuid.uuid4()
    started = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    timer_start(owner=alice, uuid=key, project=store_zero, started_at=started)

    def stop() -> str:
        entry, created = timer_stop(owner=alice, uuid=key, stopped_at=started + dt.timedelta(hours=2))
        return f"{'created' if created else 'existing'} {entry.uuid}"

    outcome = race(stop, stop)
    assert (outcome.holder, outcome.contender) == (f"created {key}", f"existing {key}")
    assert outcome.contender_waited_for_a_lock
    assert Entry.objects.filter(owner=alice).count() == 1


def test_two_copies_of_one_week_make_each_copy_once(alice, store_zero) -> None:
    entry_create(owner=alice, date=DAY - dt.timedelta(weeks=1), project=store_zero, hours=Decimal("8"))

    def copy() -> str:
        result = week_copy(actor=alice, monday=DAY, days_with_time="add")
        return f"{len(result.created)} created, {[s['reason'] for s in result.skipped]}"

    outcome = race(copy, copy)
    assert (outcome.holder, outcome.contender) == ("1 created, []", "0 created, ['already_copied']")
    assert Entry.objects.filter(owner=alice, date=DAY).count() == 1
