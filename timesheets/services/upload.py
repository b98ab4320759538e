"""Batch upload: entries for any employees, all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Lower

from authn.models import User
from authn.principals import Principal
from timesheets.errors import UploadRejected
from timesheets.models import Entry, EntrySource, Project, monday_of
from timesheets.services.dates import entry_date_error
from timesheets.services.entries import (
    audit_created,
    day_total_error,
    entry_field_errors,
    lock_owners,
    locked_week_message,
    locked_weeks,
    validate_hours,
)

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


def _resolve_users(refs: set[str]) -> dict[str, User]:
    """Map each reference (an employee number, or an email in any case) to an active user."""
    lowered = {ref.lower() for ref in refs}
    users = (
        User.objects.filter(is_active=True)
        .annotate(email_lower=Lower("email"))
        .filter(Q(employee_number__in=refs) | Q(email_lower__in=lowered))
    )
    by_number: dict[str, User] = {}
    by_email: dict[str, User] = {}
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


@dataclass(frozen=True, slots=True)
class _Row:
    """An item whose references resolved and whose fields are valid: what would be written."""

    index: int
    item: UploadItem
    owner: User
    project: Project
    hours: Decimal
    uuid: uuid_lib.UUID

    @property
    def key(self) -> tuple[int, uuid_lib.UUID]:
        return (self.owner.pk, self.uuid)


# index of an item → field → messages
_Errors = dict[int, dict[str, list[str]]]


def entries_upload(*, items: list[UploadItem], client_id: str, actor: Principal | None = None) -> UploadResult:
    """Upload entries for any employees: all of them or none.

    Each item names its employee by email or employee number. An item whose
    uuid (given, or derived from the item and the client) this client uploaded
    before is returned as it is, so re-sending a batch creates nothing new; a
    uuid the employee's entry from anywhere else holds is refused, never
    returned. Any invalid item rejects the whole batch with UploadRejected
    listing every problem by the item's index.

    Three steps: resolve the references and check each item's fields, then, with
    the employees' rows locked, check the rules that read the database (uuids,
    submitted or approved weeks, 24 hours a day), then write every entry and audit row in bulk.
    """
    if not items:
        raise ValidationError({"entries": "Send at least one entry."})
    errors: _Errors = defaultdict(lambda: defaultdict(list))
    rows = _resolve(items, client_id=client_id, errors=errors)
    with transaction.atomic():
        lock_owners({row.owner.pk for row in rows})
        previous = _previous_uploads(rows, client_id=client_id, errors=errors)
        fresh = [row for row in rows if row.key not in previous and row.index not in errors]
        _validate(fresh, errors=errors)
        if errors:
            raise UploadRejected(
                [
                    {"index": i, "fields": {f: list(m) for f, m in fields.items()}}
                    for i, fields in sorted(errors.items())
                ]
            )
        created = _write(fresh, client_id=client_id, actor=actor)
    entries = [previous.get(row.key) or created[row.key] for row in rows]
    return UploadResult(entries=entries, created=[row.key not in previous for row in rows])


def _resolve(items: list[UploadItem], *, client_id: str, errors: _Errors) -> list[_Row]:
    """Each item's employee and project (two queries in all), its field errors, and its uuid."""
    users = _resolve_users({item.user_ref for item in items})
    projects = _resolve_projects({item.project_ref for item in items})
    rows: list[_Row] = []
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
        rows.append(_Row(index=index, item=item, owner=owner, project=project, hours=hours, uuid=key))
    return rows


def _previous_uploads(rows: list[_Row], *, client_id: str, errors: _Errors) -> dict[tuple[int, uuid_lib.UUID], Entry]:
    """The entries this client uploaded before under the rows' uuids (one query).

    A uuid the employee already has on an entry from elsewhere (the phone app, the API,
    another client) is an error on that item: the entry is not this client's to see.
    """
    if not rows:
        return {}
    found = Entry.objects.select_related("project", "owner", "decided_by").filter(
        owner__in={row.owner.pk for row in rows}, uuid__in={row.uuid for row in rows}
    )
    mine: dict[tuple[int, uuid_lib.UUID], Entry] = {}
    taken: set[tuple[int, uuid_lib.UUID]] = set()
    for entry in found:
        if entry.source == EntrySource.BATCH and entry.client_id == client_id:
            mine[(entry.owner_id, entry.uuid)] = entry
        else:
            taken.add((entry.owner_id, entry.uuid))
    for row in rows:
        if row.key in taken:
            errors[row.index]["uuid"].append(UUID_TAKEN_MESSAGE)
    return mine


UUID_TAKEN_MESSAGE = "This uuid is already used by another of the employee's entries; choose a new one."


def _validate(fresh: list[_Row], *, errors: _Errors) -> None:
    """The rules over the whole batch: a uuid once per upload, the date limits, no time in a locked week, 24 h a day."""
    day_totals = _day_totals({(row.owner.pk, row.item.date) for row in fresh})
    locked = locked_weeks(
        owner_ids={row.owner.pk for row in fresh}, mondays={monday_of(row.item.date) for row in fresh}
    )
    seen: set[tuple[int, uuid_lib.UUID]] = set()
    for row in fresh:
        if row.key in seen:
            errors[row.index]["uuid"].append("This uuid appears twice in the upload.")
            continue
        seen.add(row.key)
        date_error = entry_date_error(row.item.date)
        if date_error is not None:
            errors[row.index]["date"].append(date_error)
            continue
        week = (row.owner.pk, monday_of(row.item.date))
        if week in locked:
            errors[row.index]["date"].append(locked_week_message(monday=week[1], state=locked[week]))
            continue
        day = (row.owner.pk, row.item.date)
        message = day_total_error(booked=day_totals[day], adding=row.hours, date=row.item.date)
        day_totals[day] += row.hours
        if message is not None:
            errors[row.index]["hours"].append(message)


def _write(fresh: list[_Row], *, client_id: str, actor: Principal | None) -> dict[tuple[int, uuid_lib.UUID], Entry]:
    """Insert the new entries and their audit rows in bulk; the entries by (owner id, uuid)."""
    entries = Entry.objects.bulk_create(
        [
            Entry(
                owner=row.owner,
                date=row.item.date,
                project=row.project,
                hours=row.hours,
                notes=row.item.notes,
                uuid=row.uuid,
                source=EntrySource.BATCH,
                client_id=client_id,
            )
            for row in fresh
        ]
    )
    if not connection.features.can_return_rows_from_bulk_insert:
        # Without RETURNING the new rows have no primary keys: read them back by key.
        entries = list(
            Entry.objects.select_related("project", "owner", "decided_by").filter(
                client_id=client_id, source=EntrySource.BATCH, uuid__in=[e.uuid for e in entries]
            )
        )
    audit_created(entries, actor=actor, client_id=client_id)
    return {(entry.owner_id, entry.uuid): entry for entry in entries}


def _day_totals(keys: set[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], Decimal]:
    """The hours already logged on each (owner id, date), in one query."""
    totals: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    if not keys:
        return totals
    rows = (
        Entry.objects.filter(owner__in={o for o, _ in keys}, date__in={d for _, d in keys})
        .values("owner_id", "date")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for row in rows:
        totals[(row["owner_id"], row["date"])] = row["total"]
    return totals
