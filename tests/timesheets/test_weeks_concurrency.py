"""Weeks hold when their writers race: two managers deciding one week, a submit racing an entry write.

The races run the services in two threads with their own connections, exactly as
tests/timesheets/test_concurrency.py does (its `race` helper: the holder's write is
done but uncommitted while the contender runs). Without the owner lock (lock_owners)
and the week row lock the contender reads the week as it was before the holder's
write and goes through: these tests fail. PostgreSQL only, for the reason given there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from tests.timesheets.test_concurrency import pytestmark as concurrency_marks
from tests.timesheets.test_concurrency import race
from timesheets import services
from timesheets.errors import DomainError
from timesheets.models import Entry, EntryAudit, EntryStatus, Week, WeekAudit, WeekState

pytestmark = concurrency_marks

MONDAY = dt.date(2026, 11, 23)


def refusing(write: Callable[[], str]) -> Callable[[], str]:
    def run() -> str:
        try:
            return write()
        except DomainError as exc:
            return f"refused: {exc.code}"

    return run


def decide(week: Week, actor, *, approve: bool) -> Callable[[], str]:
    def write() -> str:
        services.week_decide(week=week, actor=actor, approve=approve, comment="" if approve else "Fix it")
        return "approved" if approve else "rejected"

    return refusing(write)


def submit(owner) -> Callable[[], str]:
    def write() -> str:
        services.week_submit(actor=owner, monday=MONDAY)
        return "submitted"

    return refusing(write)


def test_two_managers_deciding_the_same_week_one_wins(alice, bob, carol, store_zero):
    entry, _ = services.entry_create(owner=alice, date=MONDAY, project=store_zero, hours=Decimal("8"))
    week = services.week_submit(actor=alice, monday=MONDAY)

    outcome = race(decide(week, carol, approve=True), decide(week, bob, approve=False))

    assert (outcome.holder, outcome.contender) == ("approved", "refused: already_decided"), outcome
    week.refresh_from_db()
    entry.refresh_from_db()
    assert (week.state, week.decided_by, entry.status) == (WeekState.APPROVED, carol, EntryStatus.APPROVED)
    assert WeekAudit.objects.filter(action__in=["approved", "rejected"]).count() == 1
    assert EntryAudit.objects.filter(action__in=["approved", "rejected"]).count() == 1


def test_an_edit_racing_a_submit_is_refused(alice, store_zero):
    entry, _ = services.entry_create(owner=alice, date=MONDAY, project=store_zero, hours=Decimal("8"))

    def edit() -> str:
        services.entry_update(entry=entry, actor=alice, hours=Decimal("2"))
        return "updated"

    outcome = race(submit(alice), refusing(edit))

    assert (outcome.holder, outcome.contender) == ("submitted", "refused: week_locked"), outcome
    entry.refresh_from_db()
    assert entry.hours == Decimal("8")


def test_a_create_racing_a_submit_is_refused(alice, store_zero):
    services.entry_create(owner=alice, date=MONDAY, project=store_zero, hours=Decimal("8"))

    def create() -> str:
        services.entry_create(owner=alice, date=MONDAY + dt.timedelta(days=2), project=store_zero, hours=Decimal("3"))
        return "created"

    outcome = race(submit(alice), refusing(create))

    assert (outcome.holder, outcome.contender) == ("submitted", "refused: week_locked"), outcome
    assert Entry.objects.filter(owner=alice).count() == 1


def test_a_submit_racing_a_delete_sees_the_week_without_it(alice, store_zero):
    """The delete commits first: the submit then finds the week empty and refuses, never a week without time."""
    entry, _ = services.entry_create(owner=alice, date=MONDAY, project=store_zero, hours=Decimal("8"))

    def delete() -> str:
        services.entry_delete(entry=entry, actor=alice)
        return "deleted"

    outcome = race(refusing(delete), submit(alice))

    assert (outcome.holder, outcome.contender) == ("deleted", "refused: week_incomplete"), outcome
    assert not Week.objects.filter(state=WeekState.SUBMITTED).exists()
