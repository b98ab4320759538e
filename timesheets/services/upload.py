"""Batch upload: entries for any employees, all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Lower

from timesheets.errors import UploadRejected
from timesheets.models import MAX_HOURS_PER_DAY, Entry, EntryAudit, EntrySource, Project
from timesheets.services.entries import entry_field_errors, entry_snapshot, lock_owners, validate_hours

User = get_user_model()

# Derived upload keys: the same row from the same client maps to the same uuid.
UPLOAD_NAMESPACE = uuid_lib.UUID("5b6f1d0e-8f3a-4c52-9b1e-2f7c3f0a7d11")


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
        lock_owners({owner.pk for _, _, owner, _, _, _ in resolved})
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
                    changes={"after": entry_snapshot(by_key[(e.owner_id, e.uuid)])},
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
