"""The running timer: one per person, on the server, so it starts on one device and stops on another.

- Starting takes a client-chosen uuid: the same uuid again updates the running timer (a retry or a
  correction), another uuid while one runs is refused (TimerRunning, with the running one).
- Stopping makes the entry (the timer's uuid, project, notes; the day started_at fell on in the offset
  the client gave; the elapsed time rounded to quarter hours) and removes the timer in one transaction,
  under the owner's row lock every entry write takes. Stopping the same uuid again answers the entry
  made the first time (exactly once, also for a phone replaying its offline queue). When the entry is
  refused (24 hours a day, a locked week, the date limits) nothing changes: the timer keeps running.
- Discarding with a uuid removes only that timer, so an offline discard never kills a newer timer.

Rounding: the elapsed time to the nearest quarter hour, halves up (7 min 30 s → 0.25 h, 22 min 30 s
→ 0.5 h), and at least 0.25 h (a 2-minute timer logs 0.25 h).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from authn.models import User
from timesheets.errors import PersonRequired, TimerNotFound, TimerRunning, TimerStopped
from timesheets.models import MAX_HOURS_PER_DAY, Entry, EntrySource, Project, Timer
from timesheets.services.dates import entry_date_error
from timesheets.services.entries import entry_create, entry_field_errors, lock_owners

# How far in the future a client's clock may put started_at / stopped_at (clocks drift).
MAX_CLOCK_AHEAD = dt.timedelta(minutes=5)
_QUARTER_SECONDS = Decimal(900)


def timer_hours(elapsed: dt.timedelta) -> Decimal:
    """Elapsed time in hours, to the nearest quarter hour (halves up), at least 0.25."""
    quarters = (Decimal(elapsed.total_seconds()) / _QUARTER_SECONDS).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(quarters, Decimal(1)) * Decimal("0.25")


def _offset_seconds(moment: dt.datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _check_not_ahead(moment: dt.datetime, *, field: str, now: dt.datetime) -> None:
    if moment > now + MAX_CLOCK_AHEAD:
        raise ValidationError({field: f"{field} is more than 5 minutes in the future ({now.isoformat()} now)."})


def timer_start(
    *,
    owner: User,
    uuid: uuid_lib.UUID,
    project: Project,
    notes: str = "",
    started_at: dt.datetime | None = None,
    client_id: str = "",
) -> tuple[Timer, bool]:
    """Start the owner's timer, or update it when `uuid` is the one running. Returns (timer, created).

    `started_at` must be aware; its offset is kept. Default: now, in settings.TIME_ZONE's offset.
    """
    if not owner.is_person:
        raise PersonRequired("Only a person runs a timer: a client token owns no timesheet.")
    now = timezone.now()
    started_at = started_at or timezone.localtime(now)
    _check_not_ahead(started_at, field="started_at", now=now)
    errors = entry_field_errors(notes=notes, project=project)
    if errors:
        raise ValidationError(errors)
    offset = _offset_seconds(started_at)
    day = started_at.date()
    date_error = entry_date_error(day)
    if date_error is not None:
        raise ValidationError({"started_at": date_error})
    with transaction.atomic():
        lock_owners({owner.pk})
        if Entry.objects.filter(owner=owner, uuid=uuid).exists():
            raise TimerStopped(f"The timer {uuid} was stopped already; start a new one with a new uuid.")
        timer = Timer.objects.select_for_update().select_related("project").filter(owner=owner).first()
        if timer is not None and timer.uuid != uuid:
            raise TimerRunning(
                f"Another timer runs (on {timer.project.name} since {timer.started_at_local.isoformat()}); "
                "stop or discard it first.",
                timer=timer,
            )
        created = timer is None
        if created:
            timer = Timer(owner=owner, uuid=uuid, client_id=client_id)
        timer.project = project
        timer.notes = notes
        timer.started_at = started_at
        timer.utc_offset_seconds = offset
        timer.save()
    return timer, created


def timer_stop(
    *,
    owner: User,
    uuid: uuid_lib.UUID,
    stopped_at: dt.datetime | None = None,
    source: str = EntrySource.API,
    client_id: str = "",
) -> tuple[Entry, bool]:
    """Stop the owner's timer `uuid`: the entry it makes, and whether it was made now (False: stopped before)."""
    if not owner.is_person:
        raise PersonRequired("Only a person runs a timer: a client token owns no timesheet.")
    now = timezone.now()
    stopped_at = stopped_at or now
    _check_not_ahead(stopped_at, field="stopped_at", now=now)
    with transaction.atomic():
        lock_owners({owner.pk})
        stopped = Entry.objects.select_related("project", "owner", "decided_by").filter(owner=owner, uuid=uuid).first()
        if stopped is not None:
            return stopped, False
        timer = Timer.objects.select_for_update().select_related("project").filter(owner=owner, uuid=uuid).first()
        if timer is None:
            raise TimerNotFound(f"No timer {uuid} runs, and none was stopped.")
        if stopped_at < timer.started_at:
            raise ValidationError(
                {"stopped_at": f"stopped_at is before the timer started ({timer.started_at_local.isoformat()})."}
            )
        hours = timer_hours(stopped_at - timer.started_at)
        if hours > MAX_HOURS_PER_DAY:
            raise ValidationError(
                {
                    "stopped_at": f"The timer ran {hours} hours; one entry holds at most {MAX_HOURS_PER_DAY}. "
                    "Discard the timer and log the time as entries."
                }
            )
        entry, created = entry_create(
            owner=owner,
            date=timer.date,
            project=timer.project,
            hours=hours,
            uuid=timer.uuid,
            notes=timer.notes,
            source=source,
            client_id=client_id,
        )
        timer.delete()
    return entry, created


def timer_discard(*, owner: User, uuid: uuid_lib.UUID | None = None) -> bool:
    """Remove the owner's running timer (only if it is `uuid`, when given). Whether one was removed."""
    with transaction.atomic():
        lock_owners({owner.pk})
        timers = Timer.objects.filter(owner=owner)
        if uuid is not None:
            timers = timers.filter(uuid=uuid)
        deleted, _ = timers.delete()
    return deleted > 0
