"""Writes and business rules for timesheet entries.

The API, the admin and batch upload all call these functions; nothing else
changes entries. Rules enforced here:

- hours are in quarter hours, more than 0 and at most 24;
- an owner's hours on one date never exceed 24 (checked with the owner's row
  locked, so two concurrent requests cannot both pass the check);
- creation is idempotent per (owner, uuid);
- approved entries are locked; only pending entries are decided;
- nobody decides on their own entries;
- every change leaves an EntryAudit row.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from timesheets.errors import AlreadyDecided, EntryLocked, SelfApproval, UploadRejected
from timesheets.models import MAX_HOURS_PER_DAY, Entry, EntryAudit, EntrySource, EntryStatus, Project

User = get_user_model()

MAX_NOTES_LENGTH = 1000
_QUARTER = Decimal("0.25")
# Derived upload keys: the same row from the same client maps to the same uuid.
UPLOAD_NAMESPACE = uuid_lib.UUID("5b6f1d0e-8f3a-4c52-9b1e-2f7c3f0a7d11")


# --- validation of single fields -------------------------------------------------------------


def validate_hours(hours: Any) -> Decimal:
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": "Enter a number of hours."}) from None
    if not value.is_finite() or value <= 0 or value > MAX_HOURS_PER_DAY:
        raise ValidationError({"hours": "Hours must be more than 0 and at most 24."})
    if value % _QUARTER != 0:
        raise ValidationError({"hours": "Hours must be in quarter hours (e.g. 7.25, 7.5, 7.75)."})
    return value.quantize(Decimal("0.01"))


def validate_notes(notes: str) -> str:
    if len(notes) > MAX_NOTES_LENGTH:
        raise ValidationError({"notes": f"Notes can be at most {MAX_NOTES_LENGTH} characters."})
    return notes


def validate_project(project: Project) -> Project:
    if not project.active:
        raise ValidationError({"project": f"Project '{project.name}' is archived and takes no new time."})
    return project


def entry_field_errors(**fields: Any) -> dict[str, list[str]]:
    """Every problem with the given entry fields (hours, notes, project), by field name."""
    validators = {"hours": validate_hours, "notes": validate_notes, "project": validate_project}
    errors: dict[str, list[str]] = {}
    for name, value in fields.items():
        try:
            validators[name](value)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    return errors


# --- the 24-hour rule ---------------------------------------------------------------------------


def _lock_owners(owner_ids: set[int]) -> None:
    """Serialise writers per owner: the daily sum is read and written under this lock."""
    list(User.objects.select_for_update().filter(pk__in=owner_ids).order_by("pk").values_list("pk", flat=True))


def _hours_booked(*, owner: Any, date: dt.date, excluding: int | None = None) -> Decimal:
    qs = Entry.objects.filter(owner=owner, date=date)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def _check_day_total(*, booked: Decimal, adding: Decimal, date: dt.date) -> None:
    if booked + adding > MAX_HOURS_PER_DAY:
        raise ValidationError(
            {
                "hours": (
                    f"That makes {booked + adding} hours on {date.isoformat()}; "
                    f"at most {MAX_HOURS_PER_DAY} hours can be logged per day ({booked} already logged)."
                )
            }
        )


# --- audit -----------------------------------------------------------------------------------------


def _snapshot(entry: Entry) -> dict[str, Any]:
    return {
        "date": entry.date.isoformat(),
        "project": entry.project.name,
        "hours": str(entry.hours),
        "notes": entry.notes,
        "status": entry.status,
    }


def _audit(
    *, entry: Entry, action: str, actor: Any, client_id: str = "", comment: str = "", changes: dict | None = None
) -> EntryAudit:
    return EntryAudit.objects.create(
        entry=entry if action != EntryAudit.Action.DELETED else None,
        entry_uuid=entry.uuid,
        owner_id=entry.owner_id,
        action=action,
        actor=actor if getattr(actor, "pk", None) is not None else None,
        client_id=client_id,
        comment=comment,
        changes=changes or {},
    )


# --- entries ----------------------------------------------------------------------------------------


def entry_create(
    *,
    owner: Any,
    date: dt.date,
    project: Project,
    hours: Decimal | float | str,
    uuid: uuid_lib.UUID | None = None,
    notes: str = "",
    source: str = EntrySource.API,
    client_id: str = "",
) -> tuple[Entry, bool]:
    """Create the owner's entry; with a uuid seen before, return that entry instead.

    Returns (entry, created).
    """
    errors = entry_field_errors(hours=hours, notes=notes, project=project)
    if errors:
        raise ValidationError(errors)
    hours = validate_hours(hours)
    uuid = uuid or uuid_lib.uuid4()
    with transaction.atomic():
        _lock_owners({owner.pk})
        existing = Entry.objects.select_related("project", "owner", "decided_by").filter(owner=owner, uuid=uuid).first()
        if existing is not None:
            return existing, False
        _check_day_total(booked=_hours_booked(owner=owner, date=date), adding=hours, date=date)
        entry = Entry.objects.create(
            owner=owner,
            date=date,
            project=project,
            hours=hours,
            notes=notes,
            uuid=uuid,
            source=source,
            client_id=client_id,
        )
        _audit(
            entry=entry,
            action=EntryAudit.Action.CREATED,
            actor=owner,
            client_id=client_id,
            changes={"after": _snapshot(entry)},
        )
    return entry, True


_UNSET: Any = object()


def entry_update(
    *,
    entry: Entry,
    actor: Any,
    date: dt.date = _UNSET,
    project: Project = _UNSET,
    hours: Decimal | float | str = _UNSET,
    notes: str = _UNSET,
    client_id: str = "",
) -> Entry:
    """Change an entry that is not approved. A rejected entry goes back to pending."""
    with transaction.atomic():
        _lock_owners({entry.owner_id})
        entry = Entry.objects.select_for_update(of=("self",)).select_related("project", "owner").get(pk=entry.pk)
        if entry.is_locked:
            raise EntryLocked("This entry is approved and can no longer be changed.")
        before = _snapshot(entry)
        if date is not _UNSET:
            entry.date = date
        if project is not _UNSET and project.pk != entry.project_id:
            entry.project = validate_project(project)
        if hours is not _UNSET:
            entry.hours = validate_hours(hours)
        if notes is not _UNSET:
            entry.notes = validate_notes(notes)
        if entry.status == EntryStatus.REJECTED:
            entry.status = EntryStatus.PENDING
            entry.decided_by = None
            entry.decided_at = None
            entry.decision_comment = ""
        after = _snapshot(entry)
        if after == before:
            return entry
        _check_day_total(
            booked=_hours_booked(owner=entry.owner, date=entry.date, excluding=entry.pk),
            adding=entry.hours,
            date=entry.date,
        )
        entry.save()
        changed = {k: {"before": before[k], "after": after[k]} for k in after if after[k] != before[k]}
        _audit(entry=entry, action=EntryAudit.Action.UPDATED, actor=actor, client_id=client_id, changes=changed)
    return entry


def entry_delete(*, entry: Entry, actor: Any, client_id: str = "") -> None:
    with transaction.atomic():
        entry = Entry.objects.select_for_update(of=("self",)).select_related("project").get(pk=entry.pk)
        if entry.is_locked:
            raise EntryLocked("This entry is approved and can no longer be deleted.")
        _audit(
            entry=entry,
            action=EntryAudit.Action.DELETED,
            actor=actor,
            client_id=client_id,
            changes={"before": _snapshot(entry)},
        )
        entry.delete()


def entry_decide(*, entry: Entry, actor: Any, approve: bool, comment: str = "", client_id: str = "") -> Entry:
    """Approve or reject a pending entry of someone else, with an optional comment."""
    if len(comment) > 1000:
        raise ValidationError({"comment": "The comment can be at most 1000 characters."})
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Say why the entry is rejected."})
    if getattr(actor, "pk", None) is None:
        raise SelfApproval("Only a person can approve or reject entries.")
    with transaction.atomic():
        entry = Entry.objects.select_for_update(of=("self",)).select_related("project", "owner").get(pk=entry.pk)
        if entry.owner_id == actor.pk:
            raise SelfApproval("You cannot approve or reject your own entries.")
        if entry.status != EntryStatus.PENDING:
            raise AlreadyDecided(f"This entry is already {entry.status}.")
        entry.status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
        entry.decided_by = actor
        entry.decided_at = timezone.now()
        entry.decision_comment = comment
        entry.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
        _audit(
            entry=entry,
            action=EntryAudit.Action.APPROVED if approve else EntryAudit.Action.REJECTED,
            actor=actor,
            client_id=client_id,
            comment=comment,
            changes={"status": {"before": EntryStatus.PENDING, "after": entry.status}},
        )
    return entry


def entry_approve(*, entry: Entry, actor: Any, comment: str = "", client_id: str = "") -> Entry:
    return entry_decide(entry=entry, actor=actor, approve=True, comment=comment, client_id=client_id)


def entry_reject(*, entry: Entry, actor: Any, comment: str = "", client_id: str = "") -> Entry:
    return entry_decide(entry=entry, actor=actor, approve=False, comment=comment, client_id=client_id)


# --- batch upload -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadItem:
    """One entry to upload, its fields already of the right types."""

    user_ref: str  # an email or an employee number
    date: dt.date
    project_ref: str | int
    hours: Decimal
    notes: str = ""
    uuid: uuid_lib.UUID | None = None


@dataclass(frozen=True)
class UploadResult:
    entries: list[Entry]
    created: list[bool]

    @property
    def created_count(self) -> int:
        return sum(self.created)

    @property
    def existing_count(self) -> int:
        return len(self.created) - self.created_count


def _resolve_users(refs: set[str]) -> dict[str, Any]:
    """Map each reference (an employee number, or an email in any case) to an active user."""
    lowered = {ref.lower() for ref in refs}
    users = (
        User.objects.filter(is_active=True)
        .annotate(email_lower=Lower("email"))
        .filter(Q(employee_number__in=refs) | Q(email_lower__in=lowered))
    )
    by_number: dict[str, Any] = {}
    by_email: dict[str, Any] = {}
    for user in users:
        if user.employee_number:
            by_number[user.employee_number] = user
        if user.email_lower:
            by_email[user.email_lower] = user
    return {ref: user for ref in refs if (user := by_number.get(ref) or by_email.get(ref.lower())) is not None}


def _resolve_projects(refs: set[str | int]) -> dict[str | int, Project]:
    ids = {ref for ref in refs if isinstance(ref, int)}
    names = {ref.strip().lower() for ref in refs if isinstance(ref, str)}
    projects = Project.objects.annotate(name_lower=Lower("name")).filter(Q(pk__in=ids) | Q(name_lower__in=names))
    by_id = {p.pk: p for p in projects}
    by_name = {p.name_lower: p for p in projects}
    found: dict[str | int, Project] = {}
    for ref in refs:
        project = by_id.get(ref) if isinstance(ref, int) else by_name.get(ref.strip().lower())
        if project is not None:
            found[ref] = project
    return found


def upload_key(
    *, client_id: str, owner_sub: str, date: dt.date, project_id: int, hours: Decimal, notes: str, occurrence: int
) -> uuid_lib.UUID:
    """The idempotency key of an uploaded item that brought none of its own.

    The same item from the same client maps to the same key, so a re-sent batch
    creates nothing; `occurrence` keeps identical items within one batch apart.
    """
    name = "|".join([client_id, owner_sub, date.isoformat(), str(project_id), str(hours), notes, str(occurrence)])
    return uuid_lib.uuid5(UPLOAD_NAMESPACE, name)


def entries_upload(*, items: list[UploadItem], client_id: str, actor: Any = None) -> UploadResult:
    """Upload entries for any employees: all of them or none.

    Each item names its employee by email or employee number. An item whose
    uuid (given, or derived from the item and the client) already exists is
    returned as it is, so re-sending a batch creates nothing new. Any invalid
    item rejects the whole batch with UploadRejected listing every problem by
    the item's index.
    """
    if not items:
        raise ValidationError({"entries": "Send at least one entry."})
    users = _resolve_users({item.user_ref for item in items})
    projects = _resolve_projects({item.project_ref for item in items})

    errors: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    resolved: list[tuple[int, UploadItem, Any, Project, Decimal, uuid_lib.UUID]] = []
    occurrences: dict[tuple, int] = defaultdict(int)
    for index, item in enumerate(items):
        owner = users.get(item.user_ref)
        project = projects.get(item.project_ref)
        if owner is None:
            errors[index]["user_id"].append(f"No active employee has the email or employee number '{item.user_ref}'.")
        fields: dict[str, Any] = {"hours": item.hours, "notes": item.notes}
        if project is None:
            errors[index]["project"].append(f"Unknown project '{item.project_ref}'.")
        else:
            fields["project"] = project
        for field, messages in entry_field_errors(**fields).items():
            errors[index][field].extend(messages)
        if owner is None or project is None or index in errors:
            continue
        hours = validate_hours(item.hours)
        key = item.uuid
        if key is None:
            signature = (owner.pk, item.date, project.pk, hours, item.notes)
            key = upload_key(
                client_id=client_id,
                owner_sub=owner.sub,
                date=item.date,
                project_id=project.pk,
                hours=hours,
                notes=item.notes,
                occurrence=occurrences[signature],
            )
            occurrences[signature] += 1
        resolved.append((index, item, owner, project, hours, key))

    with transaction.atomic():
        _lock_owners({owner.pk for _, _, owner, _, _, _ in resolved})
        existing = {
            (e.owner_id, e.uuid): e
            for e in Entry.objects.select_related("project", "owner", "decided_by").filter(
                owner__in={owner.pk for _, _, owner, _, _, _ in resolved},
                uuid__in={key for *_, key in resolved},
            )
        }
        seen_keys: set[tuple[int, uuid_lib.UUID]] = set()
        fresh = [r for r in resolved if (r[2].pk, r[5]) not in existing]
        day_totals = _day_totals({(owner.pk, item.date) for _, item, owner, *_ in fresh})
        for index, item, owner, _project, hours, key in fresh:
            if (owner.pk, key) in seen_keys:
                errors[index]["uuid"].append("This uuid appears twice in the upload.")
                continue
            seen_keys.add((owner.pk, key))
            total = day_totals[(owner.pk, item.date)] + hours
            day_totals[(owner.pk, item.date)] = total
            if total > MAX_HOURS_PER_DAY:
                errors[index]["hours"].append(
                    f"{owner.email or owner.employee_number} would have {total} hours on {item.date.isoformat()}; "
                    f"at most {MAX_HOURS_PER_DAY} per day."
                )
        if errors:
            raise UploadRejected(
                [
                    {"index": i, "fields": {f: list(m) for f, m in fields.items()}}
                    for i, fields in sorted(errors.items())
                ]
            )
        new_entries = Entry.objects.bulk_create(
            [
                Entry(
                    owner=owner,
                    date=item.date,
                    project=project,
                    hours=hours,
                    notes=item.notes,
                    uuid=key,
                    source=EntrySource.BATCH,
                    client_id=client_id,
                )
                for _, item, owner, project, hours, key in fresh
            ],
            batch_size=1000,
        )
        # bulk_create returns primary keys on PostgreSQL and SQLite 3.35+; read them back by key
        # so the result is right on any backend.
        by_key = {
            (e.owner_id, e.uuid): e
            for e in Entry.objects.select_related("project", "owner", "decided_by").filter(
                client_id=client_id, uuid__in=[e.uuid for e in new_entries]
            )
        }
        EntryAudit.objects.bulk_create(
            [
                EntryAudit(
                    entry=by_key[(e.owner_id, e.uuid)],
                    entry_uuid=e.uuid,
                    owner_id=e.owner_id,
                    action=EntryAudit.Action.CREATED,
                    actor=actor if getattr(actor, "pk", None) else None,
                    client_id=client_id,
                    changes={"after": _snapshot(by_key[(e.owner_id, e.uuid)])},
                )
                for e in new_entries
            ],
            batch_size=1000,
        )
    entries: list[Entry] = []
    created: list[bool] = []
    for _, _, owner, _, _, key in resolved:
        if (owner.pk, key) in existing:
            entries.append(existing[(owner.pk, key)])
            created.append(False)
        else:
            entries.append(by_key[(owner.pk, key)])
            created.append(True)
    return UploadResult(entries=entries, created=created)


def _day_totals(keys: set[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], Decimal]:
    totals: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    if not keys:
        return totals
    rows = (
        Entry.objects.filter(owner__in={o for o, _ in keys}, date__in={d for _, d in keys})
        .values("owner_id", "date")
        .annotate(total=Sum("hours"))
    )
    for row in rows:
        totals[(row["owner_id"], row["date"])] = row["total"]
    return totals


# --- used by demo_tenant -------------------------------------------------------------------------


def project_ensure(*, name: str) -> Project:
    """The project called `name` (case-insensitively), created active if missing."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["A project needs a name."]})
    project = Project.objects.filter(name__iexact=name).first()
    if project is not None:
        return project
    try:
        with transaction.atomic():
            return Project.objects.create(name=name)
    except IntegrityError:
        # Created by someone else a moment ago.
        return Project.objects.get(name__iexact=name)


# --- admin: managers group ----------------------------------------------------------------------

MANAGERS_GROUP_NAME = "Managers"
# What a manager does in the admin, and nothing more: see and decide on entries (deciding
# and correcting need `change_entry`), read each entry's decision history, and keep the
# project list up to date. No user management, no deletions (entries are deleted by their
# owners through the API, which leaves an audit row).
MANAGER_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("timesheets", "view_entry"),
    ("timesheets", "change_entry"),
    ("timesheets", "view_entryaudit"),
    ("timesheets", "view_project"),
    ("timesheets", "add_project"),
    ("timesheets", "change_project"),
)


def managers_group_ensure() -> Any:
    """Create or update the "Managers" group to hold exactly MANAGER_PERMISSIONS.

    Idempotent; permissions added to the group by hand are removed. Needs the
    migrations applied (Django creates permissions after `migrate`).
    """
    from django.contrib.auth.models import Group, Permission
    from django.core.exceptions import ImproperlyConfigured

    wanted = Q()
    for app_label, codename in MANAGER_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(MANAGER_PERMISSIONS):
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        missing = sorted(f"{a}.{c}" for a, c in set(MANAGER_PERMISSIONS) - found)
        raise ImproperlyConfigured(f"Permissions {', '.join(missing)} do not exist yet; run `manage.py migrate` first.")
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP_NAME)
        group.permissions.set(permissions)
    return group


def manager_admin_access_grant(*, user: Any) -> None:
    """Make `user` a manager in the admin: staff (never superuser) and in the Managers group."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(managers_group_ensure())


def manager_admin_access_revoke(*, user: Any) -> None:
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    user.groups.remove(*user.groups.filter(name=MANAGERS_GROUP_NAME))
