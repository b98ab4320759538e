"""Decisions on entries: a manager approves or rejects someone else's pending entry; a submitted week follows."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from authn.principals import Principal
from timesheets.errors import AlreadyDecided, PersonRequired, SelfApproval, WeekNotSubmitted
from timesheets.models import (
    MAX_COMMENT_LENGTH,
    Entry,
    EntryAudit,
    EntryStatus,
    Week,
    WeekAudit,
    WeekState,
    monday_of,
)
from timesheets.services.entries import audit_entry, lock_owners


def entry_decide(*, entry: Entry, actor: Principal, approve: bool, comment: str = "", client_id: str = "") -> Entry:
    """Approve or reject a pending entry of someone else, with an optional comment.

    Inside a submitted week: approving its last pending entry approves the week;
    rejecting one of its entries rejects the week with the same comment, so the
    employee can correct it. With REQUIRE_WEEK_SUBMISSION an entry is approved
    only inside a submitted week.
    """
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError({"comment": f"The comment can be at most {MAX_COMMENT_LENGTH} characters."})
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Say why the entry is rejected."})
    if not actor.is_person:
        raise PersonRequired("Only a person can approve or reject entries.")
    with transaction.atomic():
        # The owner's lock first, as every writer of the owner's entries and weeks takes it.
        lock_owners({entry.owner_id})
        entry = Entry.objects.select_for_update(of=("self",)).select_related("project", "owner").get(pk=entry.pk)
        if entry.owner_id == actor.pk:
            raise SelfApproval("You cannot approve or reject your own entries.")
        if entry.status != EntryStatus.PENDING:
            raise AlreadyDecided(f"This entry is already {entry.status}.")
        week = Week.objects.select_for_update().filter(owner_id=entry.owner_id, monday=monday_of(entry.date)).first()
        submitted = week is not None and week.state == WeekState.SUBMITTED
        if approve and settings.REQUIRE_WEEK_SUBMISSION and not submitted:
            raise WeekNotSubmitted(
                f"Entries are approved only inside a submitted week; the week of {monday_of(entry.date).isoformat()} "
                "is not submitted."
            )
        now = timezone.now()
        entry.status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
        entry.decided_by = actor
        entry.decided_at = now
        entry.decision_comment = comment
        entry.version += 1
        entry.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "version", "updated_at"])
        audit_entry(
            entry=entry,
            action=EntryAudit.Action.APPROVED if approve else EntryAudit.Action.REJECTED,
            actor=actor,
            client_id=client_id,
            comment=comment,
            changes={"status": {"before": EntryStatus.PENDING, "after": entry.status}},
        )
        if submitted:
            _follow_entry_decision(
                week=week, actor=actor, approve=approve, comment=comment, client_id=client_id, at=now
            )
    return entry


def _follow_entry_decision(*, week: Week, actor: Principal, approve: bool, comment: str, client_id: str, at) -> None:
    """A submitted week follows its entries' decisions: all approved → approved; one rejected → rejected."""
    if approve:
        sunday = week.monday + dt.timedelta(days=6)
        waiting = Entry.objects.filter(owner_id=week.owner_id, date__gte=week.monday, date__lte=sunday).exclude(
            status=EntryStatus.APPROVED
        )
        if waiting.exists():
            return
        state, action = WeekState.APPROVED, WeekAudit.Action.APPROVED
    else:
        state, action = WeekState.REJECTED, WeekAudit.Action.REJECTED
    week.state = state
    week.decided_by = actor
    week.decided_at = at
    week.comment = comment
    week.save(update_fields=["state", "decided_by", "decided_at", "comment", "updated_at"])
    WeekAudit.objects.create(
        week=week,
        owner_id=week.owner_id,
        action=action,
        actor=actor,
        client_id=client_id,
        comment=comment,
        changes={"state": {"before": WeekState.SUBMITTED, "after": state}, "by": "entry decisions"},
    )


def entry_approve(*, entry: Entry, actor: Principal, comment: str = "", client_id: str = "") -> Entry:
    return entry_decide(entry=entry, actor=actor, approve=True, comment=comment, client_id=client_id)


def entry_reject(*, entry: Entry, actor: Principal, comment: str = "", client_id: str = "") -> Entry:
    return entry_decide(entry=entry, actor=actor, approve=False, comment=comment, client_id=client_id)
