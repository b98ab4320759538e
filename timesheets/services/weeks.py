"""Weeks: an employee submits a week, withdraws it while undecided; a manager decides it in one step.

Every function takes the owner's row lock (entries.lock_owners) first, the same
lock every entry write takes, so a submit cannot slip between an entry write's
week check and its write, and two managers deciding one week are serialised.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from authn.principals import Principal
from timesheets.errors import AlreadyDecided, PersonRequired, SelfApproval, WeekIncomplete, WeekLocked, WeekNotSubmitted
from timesheets.models import (
    MAX_COMMENT_LENGTH,
    MAX_HOURS_PER_DAY,
    Entry,
    EntryAudit,
    EntrySource,
    EntryStatus,
    Week,
    WeekAudit,
    WeekState,
)
from timesheets.services.dates import entry_date_error
from timesheets.services.entries import audit_created, lock_owners, locked_week_message, week_lock_error


def _check_monday(monday: dt.date, field: str = "monday") -> None:
    if monday.weekday() != 0:
        raise ValidationError({field: f"{monday.isoformat()} is not a Monday; a week is named by its Monday."})


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


# --- copying a week ------------------------------------------------------------------------------


class CopySkip:
    """Why a source entry was not copied (the API's `reason` codes)."""

    DAY_HAS_TIME = "day_has_time"
    ALREADY_COPIED = "already_copied"
    DAY_TOTAL_EXCEEDED = "day_total_exceeded"
    PROJECT_INACTIVE = "project_inactive"
    DATE_OUT_OF_RANGE = "date_out_of_range"


COPY_MODES = ("skip", "add")


@dataclass
class WeekCopyResult:
    created: list[Entry] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"source": entry id, "date": target day, "reason": code}


def copy_uuid(source_uuid: uuid_lib.UUID, monday: dt.date) -> uuid_lib.UUID:
    """The uuid of the copy of an entry into the week of `monday`: the same call twice finds its copies."""
    return uuid_lib.uuid5(source_uuid, monday.isoformat())


def week_copy(
    *,
    actor: Principal,
    monday: dt.date,
    source_monday: dt.date | None = None,
    days_with_time: str = "skip",
    source: str = EntrySource.API,
    client_id: str = "",
) -> WeekCopyResult:
    """Copy the actor's entries of one week (default: the previous one) into the week of `monday`.

    Each entry that is not rejected becomes a new pending entry on the same weekday, with a uuid
    derived from its own and the target Monday, so repeating the call creates nothing new. With
    `days_with_time="skip"` a day that already held time before the copy gets nothing; with "add"
    copies are added as long as the day stays within 24 hours. Entries refused by a rule are
    reported under `skipped`, not raised; a locked target week refuses the whole copy (WeekLocked).
    One transaction, under the owner's lock.
    """
    _check_monday(monday)
    source_monday = source_monday or monday - dt.timedelta(weeks=1)
    _check_monday(source_monday, "from")
    if source_monday == monday:
        raise ValidationError({"from": "Copy from another week than the one copied into."})
    if days_with_time not in COPY_MODES:
        raise ValidationError({"days_with_time": f"Give one of: {', '.join(COPY_MODES)}."})
    if not actor.is_person:
        raise PersonRequired("Only a person copies a week: a client token owns no timesheet.")
    shift = monday - source_monday
    result = WeekCopyResult()
    with transaction.atomic():
        lock_owners({actor.pk})
        locked = week_lock_error(owner_id=actor.pk, dates={monday})
        if locked is not None:
            raise WeekLocked(locked)
        sources = list(
            _week_entries(owner_id=actor.pk, monday=source_monday)
            .exclude(status=EntryStatus.REJECTED)
            .select_related("project")
            .order_by("date", "id")
        )
        keys = {copy_uuid(entry.uuid, monday): entry for entry in sources}
        copied = set(Entry.objects.filter(owner_id=actor.pk, uuid__in=keys).values_list("uuid", flat=True))
        held: dict[dt.date, Decimal] = defaultdict(Decimal)
        for row in _week_entries(owner_id=actor.pk, monday=monday).values("date").annotate(total=Sum("hours")):
            held[row["date"]] = row["total"]
        booked = defaultdict(Decimal, held)  # grows with the copies made below
        new: list[Entry] = []
        for key, entry in keys.items():
            day = entry.date + shift
            if key in copied:
                reason = CopySkip.ALREADY_COPIED
            elif entry_date_error(day) is not None:
                reason = CopySkip.DATE_OUT_OF_RANGE
            elif not entry.project.active:
                reason = CopySkip.PROJECT_INACTIVE
            elif days_with_time == "skip" and held[day] > 0:
                reason = CopySkip.DAY_HAS_TIME
            elif booked[day] + entry.hours > MAX_HOURS_PER_DAY:
                reason = CopySkip.DAY_TOTAL_EXCEEDED
            else:
                booked[day] += entry.hours
                new.append(
                    Entry(
                        owner_id=actor.pk,
                        date=day,
                        project=entry.project,
                        hours=entry.hours,
                        notes=entry.notes,
                        uuid=key,
                        source=source,
                        client_id=client_id,
                    )
                )
                continue
            result.skipped.append({"source": entry.pk, "date": day, "reason": reason})
        result.created = Entry.objects.bulk_create(new)
        audit_created(result.created, actor=actor, client_id=client_id, copied_from=source_monday.isoformat())
    for entry in result.created:
        entry.owner = actor
    return result
