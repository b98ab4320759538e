"""Weeks: an employee submits a week, withdraws it while undecided; a manager decides it in one step.

Every function takes the owner's row lock (entries.lock_owners) first, the same
lock every entry write takes, so a submit cannot slip between an entry write's
week check and its write, and two managers deciding one week are serialised.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from authn.principals import Principal
from timesheets.errors import AlreadyDecided, PersonRequired, SelfApproval, WeekIncomplete, WeekLocked, WeekNotSubmitted
from timesheets.models import (
    MAX_COMMENT_LENGTH,
    Entry,
    EntryAudit,
    EntryStatus,
    Week,
    WeekAudit,
    WeekState,
)
from timesheets.services.entries import lock_owners, locked_week_message


def _check_monday(monday: dt.date) -> None:
    if monday.weekday() != 0:
        raise ValidationError({"monday": f"{monday.isoformat()} is not a Monday; a week is named by its Monday."})


def _week_entries(*, owner_id: int, monday: dt.date):
    return Entry.objects.filter(owner_id=owner_id, date__gte=monday, date__lte=monday + dt.timedelta(days=6))


def _week_audit(*, week: Week, action: str, actor: Principal, before: str, client_id: str, comment: str = "", **extra):
    return WeekAudit.objects.create(
        week=week,
        owner_id=week.owner_id,
        action=action,
        actor=actor if actor.is_person else None,
        client_id=client_id,
        comment=comment,
        changes={"state": {"before": before, "after": week.state}, **extra},
    )


def week_submit(*, actor: Principal, monday: dt.date, client_id: str = "") -> Week:
    """The actor says their week is complete: it must hold time and no entry still rejected."""
    _check_monday(monday)
    if not actor.is_person:
        raise PersonRequired("Only a person submits a week: a client token owns no timesheet.")
    with transaction.atomic():
        lock_owners({actor.pk})
        week = Week.objects.select_for_update().filter(owner=actor, monday=monday).first()
        if week is not None and week.is_locked:
            raise WeekLocked(locked_week_message(monday=monday, state=week.state))
        entries = _week_entries(owner_id=actor.pk, monday=monday)
        if not entries.exists():
            raise WeekIncomplete(f"The week of {monday.isoformat()} holds no time; log time before submitting it.")
        rejected = entries.filter(status=EntryStatus.REJECTED).count()
        if rejected:
            noun = "entry is" if rejected == 1 else "entries are"
            raise WeekIncomplete(f"{rejected} {noun} still rejected: change them before submitting the week.")
        before = week.state if week is not None else WeekState.OPEN
        if week is None:
            week = Week(owner=actor, monday=monday)
        week.state = WeekState.SUBMITTED
        week.submitted_at = timezone.now()
        week.decided_by = None
        week.decided_at = None
        week.comment = ""
        week.save()
        _week_audit(week=week, action=WeekAudit.Action.SUBMITTED, actor=actor, before=before, client_id=client_id)
    return week


def week_withdraw(*, actor: Principal, monday: dt.date, client_id: str = "") -> Week:
    """Take back a submitted week nobody has decided yet: it is open (editable) again."""
    _check_monday(monday)
    if not actor.is_person:
        raise PersonRequired("Only a person withdraws a week: a client token owns no timesheet.")
    with transaction.atomic():
        lock_owners({actor.pk})
        week = Week.objects.select_for_update().filter(owner=actor, monday=monday).first()
        if week is not None and week.state == WeekState.APPROVED:
            raise AlreadyDecided(f"The week of {monday.isoformat()} is already approved.")
        if week is None or week.state != WeekState.SUBMITTED:
            raise WeekNotSubmitted(f"The week of {monday.isoformat()} is not submitted.")
        week.state = WeekState.OPEN
        week.submitted_at = None
        week.save(update_fields=["state", "submitted_at", "updated_at"])
        _week_audit(
            week=week, action=WeekAudit.Action.WITHDRAWN, actor=actor, before=WeekState.SUBMITTED, client_id=client_id
        )
    return week


def week_decide(*, week: Week, actor: Principal, approve: bool, comment: str = "", client_id: str = "") -> Week:
    """Approve or reject someone else's submitted week in one transaction.

    Approving approves every pending entry of the week (an audit row each, plus one for
    the week). Rejecting needs a comment; the week's entries that are not approved go
    back to pending carrying the comment, and the week is editable again. Entries a
    manager approved one by one stay approved (approved entries are locked).
    """
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError({"comment": f"The comment can be at most {MAX_COMMENT_LENGTH} characters."})
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Say why the week is rejected."})
    if not actor.is_person:
        raise PersonRequired("Only a person can approve or reject weeks.")
    with transaction.atomic():
        lock_owners({week.owner_id})
        week = Week.objects.select_for_update().select_related("owner").get(pk=week.pk)
        if week.owner_id == actor.pk:
            raise SelfApproval("You cannot approve or reject your own week.")
        if week.state in (WeekState.APPROVED, WeekState.REJECTED):
            raise AlreadyDecided(f"This week is already {week.state}.")
        if week.state != WeekState.SUBMITTED:
            raise WeekNotSubmitted("This week is not submitted (it was withdrawn).")
        now = timezone.now()
        entries = list(
            _week_entries(owner_id=week.owner_id, monday=week.monday)
            .select_for_update()
            .exclude(status=EntryStatus.APPROVED)
            .order_by("date", "id")
        )
        before = {entry.pk: entry.status for entry in entries}
        for entry in entries:
            if approve:
                entry.status = EntryStatus.APPROVED
                entry.decided_by = actor
                entry.decided_at = now
            else:
                entry.status = EntryStatus.PENDING
                entry.decided_by = None
                entry.decided_at = None
            entry.decision_comment = comment
            entry.version += 1
            entry.updated_at = now
        Entry.objects.bulk_update(
            entries, ["status", "decided_by", "decided_at", "decision_comment", "version", "updated_at"]
        )
        action = EntryAudit.Action.APPROVED if approve else EntryAudit.Action.REJECTED
        EntryAudit.objects.bulk_create(
            [
                EntryAudit(
                    entry=entry,
                    entry_uuid=entry.uuid,
                    owner_id=entry.owner_id,
                    action=action,
                    actor=actor,
                    client_id=client_id,
                    comment=comment,
                    changes={
                        "status": {"before": before[entry.pk], "after": entry.status},
                        "week": week.monday.isoformat(),
                    },
                )
                for entry in entries
            ]
        )
        week.state = WeekState.APPROVED if approve else WeekState.REJECTED
        week.decided_by = actor
        week.decided_at = now
        week.comment = comment
        week.save(update_fields=["state", "decided_by", "decided_at", "comment", "updated_at"])
        _week_audit(
            week=week,
            action=WeekAudit.Action.APPROVED if approve else WeekAudit.Action.REJECTED,
            actor=actor,
            before=WeekState.SUBMITTED,
            client_id=client_id,
            comment=comment,
            entries=[str(entry.uuid) for entry in entries],
        )
    return week


def week_approve(*, week: Week, actor: Principal, comment: str = "", client_id: str = "") -> Week:
    return week_decide(week=week, actor=actor, approve=True, comment=comment, client_id=client_id)


def week_reject(*, week: Week, actor: Principal, comment: str, client_id: str = "") -> Week:
    return week_decide(week=week, actor=actor, approve=False, comment=comment, client_id=client_id)
