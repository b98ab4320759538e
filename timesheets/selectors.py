"""Reads. Each takes the acting principal, so ownership is filtered here and only here."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from authn.principals import Principal
from timesheets.models import Entry, EntrySource, EntryStatus, Project


def entry_list(
    *,
    actor: Principal,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    project: Project | None = None,
    status: str | None = None,
) -> QuerySet[Entry]:
    """The actor's own entries; for a machine client, the entries it uploaded."""
    if actor.is_person:
        qs = Entry.objects.filter(owner=actor)
    elif actor.client_id:
        qs = Entry.objects.filter(client_id=actor.client_id, source=EntrySource.BATCH)
    else:
        return Entry.objects.none()
    qs = qs.select_related("project", "owner", "decided_by")
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if project:
        qs = qs.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-date", "-id")


def entry_get(*, actor: Principal, entry_id: int) -> Entry | None:
    """One of the actor's entries (see entry_list), or None: another's entry looks like a missing one."""
    return entry_list(actor=actor).filter(pk=entry_id).first()


def approval_queue(*, actor: Principal) -> QuerySet[Entry]:
    """Pending entries the actor may decide: everyone's but their own, oldest first."""
    qs = Entry.objects.filter(status=EntryStatus.PENDING).select_related("project", "owner", "decided_by")
    if actor.is_person:
        qs = qs.exclude(owner=actor)
    return qs.order_by("date", "id")


def approvable_entry_get(*, actor: Principal, entry_id: int) -> Entry | None:
    """Any entry, for an approver (the caller has checked the approve scope or permission).

    The approver's own entries are returned too, so that the service can refuse
    a self-approval with a reason instead of pretending the entry is missing.
    """
    return Entry.objects.select_related("project", "owner", "decided_by").filter(pk=entry_id).first()


def project_list_active() -> QuerySet[Project]:
    return Project.objects.filter(active=True).order_by("name")


def project_find(*, ref: int | str, active_only: bool = True) -> Project | None:
    """A project by id or by name (case-insensitive)."""
    qs = project_list_active() if active_only else Project.objects.all()
    if isinstance(ref, int) and not isinstance(ref, bool):
        return qs.filter(pk=ref).first()
    if isinstance(ref, str) and ref.strip():
        return qs.filter(name__iexact=ref.strip()).first()
    return None
