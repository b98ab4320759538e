"""Weeks in the services: every transition, the lock on a submitted or approved week's entries, the audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from authn.principals import MachineClient
from tests.support.entries import decided_entry
from timesheets import selectors, services
from timesheets.admin import EntryAdminForm
from timesheets.errors import (
    AlreadyDecided,
    EntryLocked,
    PersonRequired,
    SelfApproval,
    UploadRejected,
    WeekIncomplete,
    WeekLocked,
    WeekNotSubmitted,
)
from timesheets.models import Entry, EntryAudit, EntryStatus, Week, WeekAudit, WeekState

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)
NEXT_MONDAY = MONDAY + dt.timedelta(weeks=1)
LOCKED_MESSAGE = "The week of 2026-11-23 is submitted: its entries are locked until it is withdrawn or rejected."


def log(owner, project, day: dt.date, hours: str) -> Entry:
    entry, created = services.entry_create(owner=owner, date=day, project=project, hours=Decimal(hours))
    assert created
    return entry


@pytest.fixture
def submitted(alice, store_zero) -> dict:
    """Alice's week of 2026-11-23 with two entries, submitted."""
    entries = [log(alice, store_zero, MONDAY, "8"), log(alice, store_zero, TUESDAY, "4.5")]
    week = services.week_submit(actor=alice, monday=MONDAY)
    return {"week": week, "entries": entries}


# --- submit and withdraw -----------------------------------------------------------------------


def test_submit_makes_the_week_submitted_with_an_audit_row(alice, submitted):
    week = submitted["week"]
    assert (week.state, week.owner, week.monday) == (WeekState.SUBMITTED, alice, MONDAY)
    assert week.submitted_at is not None
    assert list(WeekAudit.objects.values_list("action", "actor", "changes")) == [
        ("submitted", alice.pk, {"state": {"before": "open", "after": "submitted"}})
    ]


def test_a_week_is_named_by_its_monday(alice, store_zero):
    log(alice, store_zero, TUESDAY, "2")
    with pytest.raises(ValidationError) as caught:
        services.week_submit(actor=alice, monday=TUESDAY)
    assert caught.value.message_dict == {"monday": ["2026-11-24 is not a Monday; a week is named by its Monday."]}


def test_an_empty_week_cannot_be_submitted(alice, store_zero):
    log(alice, store_zero, NEXT_MONDAY, "2")  # time in another week does not count
    with pytest.raises(WeekIncomplete, match="holds no time"):
        services.week_submit(actor=alice, monday=MONDAY)
    assert not Week.objects.exists()


def test_a_week_with_a_rejected_unchanged_entry_cannot_be_submitted_until_it_is_changed(alice, carol, store_zero):
    entry = log(alice, store_zero, MONDAY, "8")
    services.entry_reject(entry=entry, actor=carol, comment="Wrong project")
    with pytest.raises(WeekIncomplete, match="1 entry is still rejected"):
        services.week_submit(actor=alice, monday=MONDAY)
    services.entry_update(entry=entry, actor=alice, hours="7")  # a change sends it back to pending
    assert services.week_submit(actor=alice, monday=MONDAY).state == WeekState.SUBMITTED


def test_a_submitted_week_cannot_be_submitted_again(alice, submitted):
    with pytest.raises(WeekLocked, match="is submitted"):
        services.week_submit(actor=alice, monday=MONDAY)


def test_withdraw_opens_the_week_again(alice, store_zero, submitted):
    week = services.week_withdraw(actor=alice, monday=MONDAY)
    assert week.state == WeekState.OPEN and week.submitted_at is None
    log(alice, store_zero, MONDAY + dt.timedelta(days=2), "3")  # editable again
    assert WeekAudit.objects.filter(action="withdrawn", week=week).count() == 1


def test_withdraw_needs_a_submitted_undecided_week(alice, carol, store_zero, submitted):
    with pytest.raises(WeekNotSubmitted):
        services.week_withdraw(actor=alice, monday=NEXT_MONDAY)
    services.week_approve(week=submitted["week"], actor=carol)
    with pytest.raises(AlreadyDecided, match="already approved"):
        services.week_withdraw(actor=alice, monday=MONDAY)


def test_a_machine_client_neither_submits_nor_withdraws(alice, submitted):
    with pytest.raises(PersonRequired):
        services.week_submit(actor=MachineClient("batch-client"), monday=MONDAY)
    with pytest.raises(PersonRequired):
        services.week_withdraw(actor=MachineClient("batch-client"), monday=MONDAY)


# --- the lock ------------------------------------------------------------------------------------


def test_a_submitted_week_locks_create_edit_and_delete(alice, store_zero, dashboard, submitted):
    entry = submitted["entries"][0]
    with pytest.raises(WeekLocked) as caught:
        services.entry_create(owner=alice, date=MONDAY + dt.timedelta(days=6), project=store_zero, hours="1")
    assert caught.value.message == LOCKED_MESSAGE
    with pytest.raises(WeekLocked):
        services.entry_update(entry=entry, actor=alice, hours="1")
    with pytest.raises(WeekLocked):
        services.entry_update(entry=entry, actor=alice, project=dashboard)
    with pytest.raises(WeekLocked):
        services.entry_delete(entry=entry, actor=alice)
    assert services.entry_update_errors(entry=entry, hours="1") == {NON_FIELD_ERRORS: [LOCKED_MESSAGE]}
    entry.refresh_from_db()
    assert (entry.hours, Entry.objects.filter(owner=alice).count()) == (Decimal("8"), 2)


def test_an_entry_cannot_move_into_a_locked_week(alice, store_zero, submitted):
    other = log(alice, store_zero, NEXT_MONDAY, "2")
    with pytest.raises(WeekLocked, match="2026-11-23 is submitted"):
        services.entry_update(entry=other, actor=alice, date=TUESDAY)
    other.refresh_from_db()
    assert other.date == NEXT_MONDAY


def test_the_lock_is_per_person_and_per_week(alice, bob, store_zero, submitted):
    log(bob, store_zero, MONDAY, "8")  # bob's week is open
    log(alice, store_zero, NEXT_MONDAY, "8")  # alice's next week is open


def test_the_admin_form_shows_the_lock(alice, store_zero, submitted):
    entry = submitted["entries"][0]
    form = EntryAdminForm(
        data={"date": entry.date.isoformat(), "project": entry.project_id, "hours": "2", "notes": ""}, instance=entry
    )
    assert not form.is_valid()
    assert form.errors[NON_FIELD_ERRORS] == [LOCKED_MESSAGE]


def test_an_upload_into_a_locked_week_is_refused_per_item(alice, bob, store_zero, submitted):
    items = [
        services.UploadItem(user_ref=bob.email, date=MONDAY, project_ref="StoreZero", hours=Decimal("2")),
        services.UploadItem(user_ref=alice.email, date=TUESDAY, project_ref="StoreZero", hours=Decimal("2")),
    ]
    with pytest.raises(UploadRejected) as caught:
        services.entries_upload(items=items, client_id="batch-client")
    assert caught.value.items == [{"index": 1, "fields": {"date": [LOCKED_MESSAGE]}}]
    assert not Entry.objects.filter(owner=bob).exists()  # all or nothing


def test_an_approved_week_locks_for_good(alice, carol, store_zero, submitted):
    services.week_approve(week=submitted["week"], actor=carol)
    with pytest.raises(WeekLocked, match="is approved"):
        services.entry_create(owner=alice, date=MONDAY, project=store_zero, hours="1")
    with pytest.raises(EntryLocked):  # its entries are approved themselves
        services.entry_update(entry=submitted["entries"][0], actor=alice, hours="1")


# --- deciding ----------------------------------------------------------------------------------


def test_approving_a_week_approves_its_pending_entries_with_an_audit_row_each(alice, carol, submitted):
    week = services.week_approve(week=submitted["week"], actor=carol, comment="Thanks")
    assert (week.state, week.decided_by, week.comment) == (WeekState.APPROVED, carol, "Thanks")
    for entry in Entry.objects.filter(owner=alice):
        assert (entry.status, entry.decided_by, entry.decision_comment) == ("approved", carol, "Thanks")
    audits = EntryAudit.objects.filter(action="approved")
    assert sorted(a.entry_id for a in audits) == sorted(e.pk for e in submitted["entries"])
    assert {a.actor_id for a in audits} == {carol.pk}
    week_audit = WeekAudit.objects.get(action="approved")
    assert week_audit.changes["entries"] == [str(e.uuid) for e in submitted["entries"]]


def test_rejecting_a_week_puts_its_entries_back_to_pending_with_the_comment(alice, carol, store_zero, submitted):
    week = services.week_reject(week=submitted["week"], actor=carol, comment="Tuesday looks short")
    assert (week.state, week.comment) == (WeekState.REJECTED, "Tuesday looks short")
    for entry in Entry.objects.filter(owner=alice):
        assert (entry.status, entry.decided_by, entry.decision_comment) == ("pending", None, "Tuesday looks short")
    assert EntryAudit.objects.filter(action="rejected").count() == 2
    # Fixed and submitted again.
    services.entry_update(entry=submitted["entries"][1], actor=alice, hours="8")
    again = services.week_submit(actor=alice, monday=MONDAY)
    assert (again.pk, again.state, again.comment, again.decided_by) == (week.pk, "submitted", "", None)


def test_a_rejection_needs_a_comment(carol, submitted):
    with pytest.raises(ValidationError, match="Say why"):
        services.week_reject(week=submitted["week"], actor=carol, comment="  ")


def test_nobody_decides_their_own_week(alice, submitted):
    with pytest.raises(SelfApproval):
        services.week_approve(week=submitted["week"], actor=alice)
    assert Week.objects.get().state == WeekState.SUBMITTED


def test_a_machine_client_deciding_gets_person_required(submitted):
    with pytest.raises(PersonRequired):
        services.week_approve(week=submitted["week"], actor=MachineClient("batch-client"))


def test_a_decided_week_cannot_be_decided_again(bob, carol, submitted):
    services.week_approve(week=submitted["week"], actor=carol)
    with pytest.raises(AlreadyDecided, match="already approved"):
        services.week_reject(week=submitted["week"], actor=bob, comment="No")


def test_a_withdrawn_week_cannot_be_decided(alice, carol, submitted):
    services.week_withdraw(actor=alice, monday=MONDAY)
    with pytest.raises(WeekNotSubmitted):
        services.week_approve(week=submitted["week"], actor=carol)


def test_entries_approved_one_by_one_stay_approved_when_the_week_is_rejected(alice, bob, carol, submitted):
    first, second = submitted["entries"]
    services.entry_approve(entry=first, actor=bob)
    services.week_reject(week=submitted["week"], actor=carol, comment="Fix Tuesday")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by) == ("approved", bob)
    assert (second.status, second.decision_comment) == ("pending", "Fix Tuesday")


# --- per-entry decisions inside a week -------------------------------------------------------------


def test_approving_every_entry_of_a_submitted_week_one_by_one_approves_the_week(carol, submitted):
    first, second = submitted["entries"]
    services.entry_approve(entry=first, actor=carol)
    assert Week.objects.get().state == WeekState.SUBMITTED
    services.entry_approve(entry=second, actor=carol)
    week = Week.objects.get()
    assert (week.state, week.decided_by) == (WeekState.APPROVED, carol)
    assert WeekAudit.objects.filter(action="approved", week=week).count() == 1


def test_rejecting_one_entry_of_a_submitted_week_sends_the_week_back(alice, carol, submitted):
    services.entry_reject(entry=submitted["entries"][0], actor=carol, comment="Not Monday")
    week = Week.objects.get()
    assert (week.state, week.comment) == (WeekState.REJECTED, "Not Monday")
    services.entry_update(entry=submitted["entries"][0], actor=alice, hours="7")  # editable again


def test_per_entry_approval_outside_weeks_keeps_working(alice, carol, store_zero):
    entry = log(alice, store_zero, MONDAY, "8")
    assert services.entry_approve(entry=entry, actor=carol).status == EntryStatus.APPROVED
    assert not Week.objects.exists()


def test_with_required_submission_an_entry_is_approved_only_inside_a_submitted_week(settings, alice, carol, store_zero):
    settings.REQUIRE_WEEK_SUBMISSION = True
    entry = log(alice, store_zero, MONDAY, "8")
    with pytest.raises(WeekNotSubmitted, match="only inside a submitted week"):
        services.entry_approve(entry=entry, actor=carol)
    services.week_submit(actor=alice, monday=MONDAY)
    assert services.entry_approve(entry=entry, actor=carol).status == EntryStatus.APPROVED
    assert Week.objects.get().state == WeekState.APPROVED


# --- selectors -------------------------------------------------------------------------------------


def test_week_list_gives_state_and_totals(alice, carol, store_zero, dashboard, submitted):
    log(alice, dashboard, NEXT_MONDAY, "2")
    decided_entry(owner=alice, by=carol, project=dashboard, date="2026-11-27", hours=1, status="rejected")
    views = selectors.week_list(actor=alice, date_from=MONDAY, date_to=NEXT_MONDAY + dt.timedelta(days=3))
    assert [(v.monday, v.state) for v in views] == [(NEXT_MONDAY, "open"), (MONDAY, "submitted")]
    week = views[1]
    assert week.total_hours == Decimal("13.5")
    assert [d["hours"] for d in week.days] == [Decimal(h) for h in ("8", "4.5", "0", "0", "1", "0", "0")]
    assert [(p["name"], p["hours"]) for p in week.projects] == [("Auth0 Dashboard", 1), ("StoreZero", 12.5)]
    assert week.counts == {"pending": 2, "approved": 0, "rejected": 1}
    assert week.days_without_time == [dt.date(2026, 11, 25), dt.date(2026, 11, 26)]


def test_the_approval_queue_holds_others_submitted_weeks_oldest_first(alice, bob, carol, store_zero, submitted):
    log(bob, store_zero, MONDAY - dt.timedelta(weeks=1), "3")
    bob_week = services.week_submit(actor=bob, monday=MONDAY - dt.timedelta(weeks=1))
    assert list(selectors.week_approval_queue(actor=carol)) == [bob_week, submitted["week"]]
    assert list(selectors.week_approval_queue(actor=alice)) == [bob_week]


def test_the_database_backs_the_week_rules(alice, carol):
    from django.db import IntegrityError, transaction

    def refused(**fields) -> bool:
        try:
            with transaction.atomic():
                Week.objects.create(owner=alice, **fields)
        except IntegrityError:
            return True
        return False

    assert refused(monday=TUESDAY)
    assert refused(monday=MONDAY, state="approved", submitted_at="2026-11-27T10:00:00Z")  # no decision recorded
    assert refused(monday=MONDAY, state="submitted")  # no submission time
    assert refused(
        monday=MONDAY,
        state="approved",
        submitted_at="2026-11-27T10:00:00Z",
        decided_by=alice,
        decided_at="2026-11-28T10:00:00Z",
    )  # decided by its owner
    assert refused(monday=MONDAY, state="rejected", decided_by=carol, decided_at="2026-11-28T10:00:00Z")  # no comment
    assert refused(monday=MONDAY, state="closed")
    assert not refused(monday=MONDAY)
    assert refused(monday=MONDAY)  # one row per person and week
