"""Entries: validation, the 24-hour rule, create, edit, delete, audit (decisions: services/decisions.py)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid as uuid_lib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Subquery, Sum

from authn.models import User
from authn.principals import Principal
from timesheets.errors import (
    EntryLocked,
    PreconditionFailed,
    WeekLocked,
)
from timesheets.models import (
    LOCKED_WEEK_STATES,
    MAX_HOURS_PER_DAY,
    MAX_NOTES_LENGTH,
    Entry,
    EntryAudit,
    EntrySource,
    EntryStatus,
    Project,
    Week,
    WeekState,
    monday_of,
)
from timesheets.prepared import Sentinels, prepare
from timesheets.services.dates import entry_date_error

_QUARTER = Decimal("0.25")
_SQLITE_DECIMALS = decimal.Context(prec=15)
ENTRY_LOCKED_MESSAGE = "This entry is approved and can no longer be changed."


# --- validation of single fields -------------------------------------------------------------


def validate_hours(hours: Any) -> Decimal:
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": "Enter a number of hours."}) from None
    if not value.is_finite() or value <= 0 or value > MAX_HOURS_PER_DAY:
        raise ValidationError({"hours": f"Hours must be more than 0 and at most {MAX_HOURS_PER_DAY}."})
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


def lock_owners(owner_ids: set[int]) -> None:
    """Serialise writers per owner: the daily sum is read and written under this lock."""
    if len(owner_ids) == 1:  # the common case, prepared (timesheets/prepared.py): one query built once
        prepare(_lock_one_owner, "default", ()).rows({"owner": next(iter(owner_ids))})
        return
    list(User.objects.select_for_update().filter(pk__in=owner_ids).order_by("pk").values_list("pk", flat=True))


def _lock_one_owner(sentinels: Sentinels, shape: tuple) -> QuerySet:
    return User.objects.select_for_update().filter(pk__in=[sentinels.int("owner")]).values_list("pk", flat=True)


def _create_checks(sentinels: Sentinels, shape: tuple) -> QuerySet:
    """entry_create's reads under the owner's lock in one query: the uuid's entry, the week's lock, the day's hours."""
    owner = sentinels.int("owner")
    same_uuid = Entry.objects.filter(owner_id=owner, uuid=sentinels.uuid("uuid")).order_by().values("pk")[:1]
    locked_week = (
        Week.objects.filter(owner_id=owner, monday=sentinels.date("monday"), state__in=LOCKED_WEEK_STATES)
        .order_by()
        .values("state")[:1]
    )
    day = Entry.objects.filter(owner_id=owner, date=sentinels.date("date")).order_by().values("owner_id")
    booked = day.annotate(total=Sum("hours")).values("total")
    return (
        User.objects.filter(pk=owner)
        .annotate(existing_id=Subquery(same_uuid), week_state=Subquery(locked_week), booked=Subquery(booked))
        .values_list("existing_id", "week_state", "booked")
    )


def create_checks(*, owner_id: int, uuid: uuid_lib.UUID, date: dt.date) -> tuple[int | None, str | None, Decimal]:
    """(the id of the owner's entry with `uuid` or None, the state of `date`'s week if it locks entries or None,
    the hours the owner has on `date`), read in one query; the caller holds the owner's lock."""
    ((existing_id, week_state, booked),) = prepare(_create_checks, "default", ()).rows(
        {"owner": owner_id, "uuid": uuid, "monday": monday_of(date), "date": date}
    )
    if booked is None:
        booked = Decimal(0)
    elif not isinstance(booked, Decimal):  # SQLite's number, made a Decimal as Django's SQLite converter does
        booked = _SQLITE_DECIMALS.create_decimal_from_float(booked)
    return existing_id, week_state, booked


def hours_booked(*, owner_id: int, date: dt.date, excluding: int | None = None) -> Decimal:
    """The owner's hours on `date`, leaving out the entry `excluding` (the one being changed)."""
    qs = Entry.objects.filter(owner_id=owner_id, date=date)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def day_total_error(*, booked: Decimal, adding: Decimal, date: dt.date) -> str | None:
    """The 24-hour rule: why adding `adding` hours to the `booked` ones on `date` is refused, or None.

    The one wording of the rule, for the API, the phone app, the admin and uploads alike.
    """
    if booked + adding <= MAX_HOURS_PER_DAY:
        return None
    return (
        f"That makes {booked + adding} hours on {date.isoformat()}; "
        f"at most {MAX_HOURS_PER_DAY} hours can be logged per day ({booked} already logged)."
    )


def _check_day_total(*, booked: Decimal, adding: Decimal, date: dt.date) -> None:
    message = day_total_error(booked=booked, adding=adding, date=date)
    if message is not None:
        raise ValidationError({"hours": message})


# --- the week lock -------------------------------------------------------------------------------


def locked_week_message(*, monday: dt.date, state: str) -> str:
    """The one wording of the week lock, for the API, the phone app, the admin and uploads alike."""
    if state == WeekState.APPROVED:
        return f"The week of {monday.isoformat()} is approved: its entries can no longer be changed."
    return f"The week of {monday.isoformat()} is submitted: its entries are locked until it is withdrawn or rejected."


def locked_weeks(*, owner_ids: set[int], mondays: set[dt.date]) -> dict[tuple[int, dt.date], str]:
    """(owner id, monday) → state, for the given owners' weeks that lock their entries (one query)."""
    if not owner_ids or not mondays:
        return {}
    rows = Week.objects.filter(owner__in=owner_ids, monday__in=mondays, state__in=LOCKED_WEEK_STATES).values_list(
        "owner_id", "monday", "state"
    )
    return {(owner_id, monday): state for owner_id, monday, state in rows}


def week_lock_error(*, owner_id: int, dates: set[dt.date]) -> str | None:
    """Why entries of `owner_id` on `dates` cannot be written because their week is locked, or None.

    Callers hold the owner's row lock (lock_owners) while they act on the answer: submitting
    a week takes the same lock, so a week cannot be submitted between this check and the write.
    """
    found = locked_weeks(owner_ids={owner_id}, mondays={monday_of(d) for d in dates})
    for (_, monday), state in sorted(found.items()):
        return locked_week_message(monday=monday, state=state)
    return None


def _check_week_open(*, owner_id: int, dates: set[dt.date]) -> None:
    message = week_lock_error(owner_id=owner_id, dates=dates)
    if message is not None:
        raise WeekLocked(message)


# --- optimistic concurrency ------------------------------------------------------------------------


def if_match_allows(if_match: str, *, etag: str) -> bool:
    """RFC 9110 If-Match with strong comparison: `*`, or a list of entity tags one of which is `etag`.

    A weak tag (W/"...") never matches; a malformed header matches nothing.
    """
    if if_match.strip() == "*":
        return True
    return any(tag.strip() == etag for tag in if_match.split(","))


def _check_if_match(entry: Entry, if_match: str | None) -> None:
    """Refuse the write when the client's If-Match names another version (called under the row lock)."""
    if if_match is None or if_match_allows(if_match, etag=entry.etag):
        return
    raise PreconditionFailed(
        f"The entry has changed since you read it (it is now at version {entry.etag}); nothing was written.",
        entry=entry,
    )


# --- audit -----------------------------------------------------------------------------------------


def entry_snapshot(entry: Entry) -> dict[str, Any]:
    return {
        "date": entry.date.isoformat(),
        "project": entry.project.name,
        "hours": str(entry.hours),
        "notes": entry.notes,
        "status": entry.status,
    }


def audit_entry(
    *,
    entry: Entry,
    action: str,
    actor: Principal | None,
    client_id: str = "",
    comment: str = "",
    changes: dict | None = None,
) -> EntryAudit:
    return EntryAudit.objects.create(
        entry=entry if action != EntryAudit.Action.DELETED else None,
        entry_uuid=entry.uuid,
        owner_id=entry.owner_id,
        action=action,
        actor=actor if actor is not None and actor.is_person else None,
        client_id=client_id,
        comment=comment,
        changes=changes or {},
    )


def audit_created(entries: list[Entry], *, actor: Principal | None, client_id: str, **extra: Any) -> None:
    """One "created" audit row per entry written in bulk (an upload, a week copy), in one statement."""
    audit_actor = actor if actor is not None and actor.is_person else None
    EntryAudit.objects.bulk_create(
        [
            EntryAudit(
                entry=entry,
                entry_uuid=entry.uuid,
                owner_id=entry.owner_id,
                action=EntryAudit.Action.CREATED,
                actor=audit_actor,
                client_id=client_id,
                changes={"after": entry_snapshot(entry), **extra},
            )
            for entry in entries
        ]
    )


# --- entries ----------------------------------------------------------------------------------------


def entry_create(
    *,
    owner: User,
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
        lock_owners({owner.pk})
        existing_id, week_state, booked = create_checks(owner_id=owner.pk, uuid=uuid, date=date)
        if existing_id is not None:
            return Entry.objects.select_related("project", "owner", "decided_by").get(pk=existing_id), False
        # After the replay check: a retry of a create the server already took is answered, whatever the date.
        date_error = entry_date_error(date)
        if date_error is not None:
            raise ValidationError({"date": date_error})
        if week_state is not None:
            raise WeekLocked(locked_week_message(monday=monday_of(date), state=week_state))
        _check_day_total(booked=booked, adding=hours, date=date)
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
        audit_entry(
            entry=entry,
            action=EntryAudit.Action.CREATED,
            actor=owner,
            client_id=client_id,
            changes={"after": entry_snapshot(entry)},
        )
    return entry, True


_UNSET: Any = object()


def entry_update_errors(
    *,
    entry: Entry,
    date: dt.date = _UNSET,
    project: Project = _UNSET,
    hours: Decimal | float | str = _UNSET,
    notes: str = _UNSET,
) -> dict[str, list[str]]:
    """Why entry_update would refuse to make these changes to `entry`: field name → messages, or {}.

    An approved entry is refused as a whole (under NON_FIELD_ERRORS). The 24-hour rule is
    checked when the date or the hours change and the fields themselves are valid. The admin's
    form shows these on the form; entry_update raises them, with the owner's row locked.
    """
    if entry.is_locked:
        return {NON_FIELD_ERRORS: [ENTRY_LOCKED_MESSAGE]}
    week_locked = week_lock_error(
        owner_id=entry.owner_id, dates={entry.date} | ({date} if date is not _UNSET else set())
    )
    if week_locked is not None:
        return {NON_FIELD_ERRORS: [week_locked]}
    fields: dict[str, Any] = {}
    if hours is not _UNSET:
        fields["hours"] = hours
    if notes is not _UNSET:
        fields["notes"] = notes
    if project is not _UNSET and project.pk != entry.project_id:
        fields["project"] = project  # an entry may stay on a project archived since
    errors = entry_field_errors(**fields)
    if date is not _UNSET and date != entry.date:
        date_error = entry_date_error(date)  # only a new date: an old entry stays correctable
        if date_error is not None:
            errors["date"] = [date_error]
    if errors:
        return errors
    new_date = entry.date if date is _UNSET else date
    new_hours = entry.hours if hours is _UNSET else validate_hours(hours)
    if new_date != entry.date or new_hours != entry.hours:
        booked = hours_booked(owner_id=entry.owner_id, date=new_date, excluding=entry.pk)
        message = day_total_error(booked=booked, adding=new_hours, date=new_date)
        if message is not None:
            errors["hours"] = [message]
    return errors


def entry_update(
    *,
    entry: Entry,
    actor: Principal,
    date: dt.date = _UNSET,
    project: Project = _UNSET,
    hours: Decimal | float | str = _UNSET,
    notes: str = _UNSET,
    client_id: str = "",
    if_match: str | None = None,
) -> Entry:
    """Change an entry that is not approved. A rejected entry goes back to pending.

    `if_match` (an HTTP If-Match value) is checked against the entry's version under its row lock.
    """
    changes = {"date": date, "project": project, "hours": hours, "notes": notes}
    changes = {name: value for name, value in changes.items() if value is not _UNSET}
    with transaction.atomic():
        lock_owners({entry.owner_id})
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("project", "owner", "decided_by")
            .get(pk=entry.pk)
        )
        _check_if_match(entry, if_match)
        if entry.is_locked:
            raise EntryLocked(ENTRY_LOCKED_MESSAGE)
        _check_week_open(owner_id=entry.owner_id, dates={entry.date} | ({date} if "date" in changes else set()))
        errors = entry_update_errors(entry=entry, **changes)
        if errors:
            raise ValidationError(errors)
        before = entry_snapshot(entry)
        if "date" in changes:
            entry.date = date
        if "project" in changes:
            entry.project = project
        if "hours" in changes:
            entry.hours = validate_hours(hours)
        if "notes" in changes:
            entry.notes = notes
        if entry.status == EntryStatus.REJECTED:
            entry.status = EntryStatus.PENDING
            entry.decided_by = None
            entry.decided_at = None
            entry.decision_comment = ""
        after = entry_snapshot(entry)
        if after == before:
            return entry
        entry.version += 1
        entry.save()
        changed = {k: {"before": before[k], "after": after[k]} for k in after if after[k] != before[k]}
        audit_entry(entry=entry, action=EntryAudit.Action.UPDATED, actor=actor, client_id=client_id, changes=changed)
    return entry


def entry_delete(*, entry: Entry, actor: Principal, client_id: str = "", if_match: str | None = None) -> None:
    """Delete an entry that is not approved; `if_match` as for entry_update."""
    with transaction.atomic():
        lock_owners({entry.owner_id})
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("project", "owner", "decided_by")
            .get(pk=entry.pk)
        )
        _check_if_match(entry, if_match)
        if entry.is_locked:
            raise EntryLocked("This entry is approved and can no longer be deleted.")
        _check_week_open(owner_id=entry.owner_id, dates={entry.date})
        audit_entry(
            entry=entry,
            action=EntryAudit.Action.DELETED,
            actor=actor,
            client_id=client_id,
            changes={"before": entry_snapshot(entry)},
        )
        entry.delete()
