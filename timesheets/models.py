from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Mod
from django.db.models.lookups import Exact


class Project(models.Model):
    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="project_name_unique_ci", violation_error_message="A project with this name exists."
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class EntrySource(models.TextChoices):
    API = "api", "API"
    PWA = "pwa", "Phone app"
    ADMIN = "admin", "Admin"
    BATCH = "batch", "Batch upload"


# The limits, named once: the model's fields and constraints, the services, the API's
# input shapes and the admin's forms all read them from here.
MAX_HOURS_PER_DAY = Decimal("24")  # also the most one entry can hold
MAX_NOTES_LENGTH = 1000
MAX_COMMENT_LENGTH = 1000  # a decision's comment (kept on the entry and in its audit row)


class Entry(models.Model):
    """Time one person spent on one project on one day.

    Rules live in timesheets/services/; the constraints below are the
    database's backstop for the ones it can express.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="entries")
    date = models.DateField()
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="entries")
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    notes = models.TextField(max_length=MAX_NOTES_LENGTH, blank=True)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(max_length=MAX_COMMENT_LENGTH, blank=True)
    uuid = models.UUIDField(default=uuid_lib.uuid4, help_text="Client-chosen key that makes creation idempotent.")
    source = models.CharField(max_length=10, choices=EntrySource.choices, default=EntrySource.API)
    client_id = models.CharField(max_length=255, blank=True, help_text="The OAuth client that created the entry.")
    version = models.PositiveIntegerField(
        # db_default too: rows inserted by raw SQL (bench/data.py) start at 1 as well.
        default=1,
        db_default=1,
        help_text="1 when created, +1 on every change (edit, decision): the entry's ETag.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "uuid"], name="entry_uuid_unique_per_owner"),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=MAX_HOURS_PER_DAY), name="entry_hours_range"
            ),
            models.CheckConstraint(
                # Quarter hours: hours * 4 is a whole number.
                condition=Exact(Mod(models.F("hours") * 4, 1), 0),
                name="entry_hours_quarters",
            ),
            models.CheckConstraint(condition=models.Q(status__in=EntryStatus.values), name="entry_status_valid"),
            models.CheckConstraint(
                condition=models.Q(status=EntryStatus.PENDING)
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="entry_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("owner")), name="entry_not_decided_by_owner"
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="entry_version_positive"),
        ]
        indexes = [
            # The owner's list, newest first, and the 24-hour sum per day.
            models.Index(fields=["owner", "-date", "-id"], name="entry_owner_date"),
            # The approvals queue: pending entries, oldest first.
            models.Index(fields=["date", "id"], name="entry_pending_date", condition=models.Q(status="pending")),
            # The admin's entries list, newest first: unfiltered, by status, by project.
            models.Index(fields=["-date", "-id"], name="entry_date"),
            models.Index(fields=["status", "-date", "-id"], name="entry_status_date"),
            models.Index(fields=["project", "-date", "-id"], name="entry_project_date"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.date} {self.project} {self.hours}h"

    @property
    def is_locked(self) -> bool:
        return self.status == EntryStatus.APPROVED

    @property
    def etag(self) -> str:
        return entity_tag(self.version)


def entity_tag(version: int) -> str:
    """An entry's strong ETag (RFC 9110), quotes included: the value of the `ETag` header and of `etag`."""
    return f'"{version}"'


# A timer's offset from UTC: what ISO 8601 and Python's datetime can carry (less than a day either way).
MAX_UTC_OFFSET_SECONDS = 24 * 3600 - 1


class Timer(models.Model):
    """A person's running timer (at most one): stopping it makes an entry with the timer's uuid.

    `started_at` is stored as an instant; `utc_offset_seconds` keeps the offset the client
    gave, so the API shows the time as given and the entry's date is the day in that offset.
    Rules live in timesheets/services/timers.py.
    """

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timer")
    uuid = models.UUIDField(help_text="Client-chosen key; the entry made when the timer stops gets it too.")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(max_length=MAX_NOTES_LENGTH, blank=True)
    started_at = models.DateTimeField()
    utc_offset_seconds = models.IntegerField(default=0, help_text="The offset from UTC the client gave started_at in.")
    client_id = models.CharField(max_length=255, blank=True, help_text="The OAuth client that started the timer.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # owner is a OneToOneField: one timer per person is a unique constraint already.
            models.CheckConstraint(
                condition=models.Q(
                    utc_offset_seconds__gte=-MAX_UTC_OFFSET_SECONDS, utc_offset_seconds__lte=MAX_UTC_OFFSET_SECONDS
                ),
                name="timer_utc_offset_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} timer on {self.project} since {self.started_at_local.isoformat()}"

    @property
    def zone(self) -> dt.timezone:
        return dt.timezone(dt.timedelta(seconds=self.utc_offset_seconds))

    @property
    def started_at_local(self) -> dt.datetime:
        """started_at in the offset the client gave."""
        return self.started_at.astimezone(self.zone)

    @property
    def date(self) -> dt.date:
        """The calendar day the timer started on, in the client's offset: the entry's date."""
        return self.started_at_local.date()


class EntryAudit(models.Model):
    """One row per change that matters: decisions, and edits and deletions."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DELETED = "deleted", "Deleted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit")
    entry_uuid = models.UUIDField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_id = models.CharField(max_length=255, blank=True)
    comment = models.CharField(max_length=MAX_COMMENT_LENGTH, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="Field values before and after.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.entry_uuid} by {self.actor or self.client_id}"


def monday_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


class WeekState(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# A week in one of these states locks its entries: no create, edit or delete from anywhere.
LOCKED_WEEK_STATES = (WeekState.SUBMITTED, WeekState.APPROVED)


class Week(models.Model):
    """One person's ISO week (Monday to Sunday) once it has been submitted.

    A week without a row is open. open → submitted → approved, or submitted →
    rejected (the comment says why; the week is editable again, like an open one)
    → submitted again; a submitted, undecided week may be withdrawn (→ open).
    Rules live in timesheets/services/weeks.py; the constraints below back them.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="weeks")
    monday = models.DateField(help_text="The Monday the ISO week starts on.")
    state = models.CharField(max_length=10, choices=WeekState.choices, default=WeekState.OPEN)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(max_length=MAX_COMMENT_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-monday", "owner_id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "monday"], name="week_unique_per_owner"),
            models.CheckConstraint(condition=models.Q(monday__iso_week_day=1), name="week_starts_on_monday"),
            models.CheckConstraint(condition=models.Q(state__in=WeekState.values), name="week_state_valid"),
            models.CheckConstraint(
                condition=~models.Q(state__in=[WeekState.APPROVED, WeekState.REJECTED])
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="week_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=[WeekState.SUBMITTED, WeekState.APPROVED])
                | models.Q(submitted_at__isnull=False),
                name="week_submission_recorded",
            ),
            models.CheckConstraint(condition=~models.Q(decided_by=models.F("owner")), name="week_not_decided_by_owner"),
            models.CheckConstraint(
                condition=~models.Q(state=WeekState.REJECTED) | ~models.Q(comment=""), name="week_rejection_explained"
            ),
        ]
        indexes = [
            # The approvals queue and the admin's Weeks list by state: submitted weeks, oldest first.
            models.Index(fields=["state", "monday", "id"], name="week_state_monday"),
            models.Index(fields=["monday", "id"], name="week_monday"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} week of {self.monday.isoformat()} ({self.state})"

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def is_locked(self) -> bool:
        return self.state in LOCKED_WEEK_STATES


class WeekAudit(models.Model):
    """One row per change of a week's state: submitted, withdrawn, approved, rejected."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="audit")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_id = models.CharField(max_length=255, blank=True)
    comment = models.CharField(max_length=MAX_COMMENT_LENGTH, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="State before and after, entries decided.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.week} by {self.actor or self.client_id}"


class Reminder(models.Model):
    """An e-mail reminder sent (manage.py send_reminders): at most one per person, week and kind."""

    class Kind(models.TextChoices):
        EMPLOYEE_WEEK = "employee_week", "Week not submitted or short of hours"
        MANAGER_DIGEST = "manager_digest", "Weeks waiting for a decision"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    monday = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "monday", "kind"], name="reminder_once_per_person_week_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.person} for the week of {self.monday.isoformat()}"
