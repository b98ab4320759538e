"""Shapes of the API's input and output. Types only: the rules are in timesheets/services/."""

from __future__ import annotations

import datetime as dt
import json
from collections import namedtuple
from collections.abc import Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from timesheets.models import (
    MAX_COMMENT_LENGTH,
    MAX_NOTES_LENGTH,
    Entry,
    EntryStatus,
    Project,
    WeekState,
    entity_tag,
)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "description": "Project id or name."})
class ProjectRefField(serializers.Field):
    """A project named by id (integer) or by name (string)."""

    default_error_messages = {"invalid": "Give the project's id (a number) or its name."}

    def to_internal_value(self, data: Any) -> int | str:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return data
        if isinstance(data, str) and data.strip():
            name = data.strip()
            # ASCII digits only: str.isdigit() also accepts characters like "¹" that int() refuses.
            return int(name) if name.isascii() and name.isdigit() else name
        self.fail("invalid")

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(OpenApiTypes.DATE)
class DayField(serializers.DateField):
    """A calendar day; an ISO 8601 date-time is accepted too and its date part kept (the sample cron job sends one)."""

    def to_internal_value(self, value: Any) -> dt.date:
        if isinstance(value, str) and "T" in value:
            try:
                return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class HoursField(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=6, decimal_places=2, coerce_to_string=False, **kwargs)


class EntryInput(serializers.Serializer):
    date = DayField()
    project = ProjectRefField()
    hours = HoursField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTES_LENGTH, trim_whitespace=False)
    uuid = serializers.UUIDField(
        required=False, help_text="Idempotency key: the same uuid again returns the same entry."
    )


class EntryPatchInput(EntryInput):
    """Only the fields sent are changed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)
        self.fields.pop("uuid")


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()
    employee_number = serializers.CharField(allow_null=True)


class EntrySerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name")
    hours = HoursField()
    owner = PersonSerializer()
    decided_by = PersonSerializer(allow_null=True)
    etag = serializers.CharField(
        help_text='The entry\'s strong ETag, quotes included (`"3"`): send it as `If-Match` to change or delete '
        "only this version."
    )

    class Meta:
        model = Entry
        fields = [
            "id",
            "uuid",
            "date",
            "project",
            "project_name",
            "hours",
            "notes",
            "status",
            "owner",
            "decided_by",
            "decided_at",
            "decision_comment",
            "source",
            "created_at",
            "updated_at",
            "etag",
        ]
        read_only_fields = fields


class DecisionInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[EntryStatus.APPROVED.value, EntryStatus.REJECTED.value])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=MAX_COMMENT_LENGTH, default="")


class UploadItemInput(serializers.Serializer):
    user_id = serializers.CharField(max_length=254, help_text="The employee's email or employee number.")
    date = DayField()
    project = ProjectRefField()
    hours = HoursField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTES_LENGTH, default="")
    uuid = serializers.UUIDField(required=False, allow_null=True, default=None)


class UploadResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    entries = EntrySerializer(many=True)


class ProjectSerializer(serializers.ModelSerializer):
    last_used = serializers.DateField(
        allow_null=True, help_text="The latest day you logged time on it (null: never, and for client tokens)."
    )

    class Meta:
        model = Project
        fields = ["id", "name", "last_used"]


class MeSerializer(serializers.Serializer):
    sub = serializers.CharField()
    kind = serializers.ChoiceField(choices=["user", "client"])
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    employee_number = serializers.CharField(allow_null=True)
    client_id = serializers.CharField(allow_blank=True)
    scopes = serializers.ListField(child=serializers.CharField())


class CompatEntrySerializer(serializers.Serializer):
    """The scenario's sample clients' format."""

    id = serializers.IntegerField()
    user_id = serializers.SerializerMethodField()
    date = serializers.DateField()
    project = serializers.CharField(source="project.name")
    hours = serializers.FloatField()
    approved = serializers.SerializerMethodField()

    def get_user_id(self, entry: Entry) -> str:
        return entry.owner.email or entry.owner.employee_number or entry.owner.sub

    def get_approved(self, entry: Entry) -> bool:
        return entry.status == EntryStatus.APPROVED


class WeekDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    hours = HoursField()


class WeekProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    hours = HoursField()


class WeekCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()


class WeekSerializer(serializers.Serializer):
    """One person's ISO week (a selectors.WeekView): its state, who decided, totals per day and per project."""

    id = serializers.SerializerMethodField(help_text="The stored week's id (null while it was never submitted).")
    owner = PersonSerializer()
    monday = serializers.DateField()
    sunday = serializers.DateField()
    state = serializers.ChoiceField(choices=WeekState.values)
    comment = serializers.SerializerMethodField(help_text="The manager's comment on a decision (why it was rejected).")
    submitted_at = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.SerializerMethodField()
    total_hours = HoursField()
    days = WeekDaySerializer(many=True, help_text="Monday to Sunday, hours per day.")
    days_without_time = serializers.ListField(
        child=serializers.DateField(), help_text="Monday to Friday days with no time logged."
    )
    projects = WeekProjectSerializer(many=True)
    counts = WeekCountsSerializer(help_text="The week's entries by status.")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_id(self, view: Any) -> int | None:
        return view.week.pk if view.week is not None else None

    @extend_schema_field(serializers.CharField())
    def get_comment(self, view: Any) -> str:
        return view.week.comment if view.week is not None else ""

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_submitted_at(self, view: Any) -> str | None:
        week = view.week
        return serializers.DateTimeField().to_representation(week.submitted_at) if week and week.submitted_at else None

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_decided_by(self, view: Any) -> dict | None:
        week = view.week
        return PersonSerializer(week.decided_by).data if week and week.decided_by else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_decided_at(self, view: Any) -> str | None:
        week = view.week
        return serializers.DateTimeField().to_representation(week.decided_at) if week and week.decided_at else None


class WeekWithEntriesSerializer(WeekSerializer):
    """A week waiting for a decision, with its entries (the phone app expands a week to them)."""

    entries = EntrySerializer(many=True)


class WeekDecisionInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[WeekState.APPROVED.value, WeekState.REJECTED.value])
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_COMMENT_LENGTH, default="", help_text="Needed to reject."
    )


# --- Fast output for lists ------------------------------------------------------------------
# The list endpoints read rows with values() (or prepared queries) and build the same JSON as
# EntrySerializer and CompatEntrySerializer above, without instantiating models and nested
# serializers (several times faster per row): as dicts here, as JSON text in entry_json.py.
# tests/timesheets/test_output_shapes.py holds them equal byte for byte.

_PERSON_COLUMNS = ("id", "name", "first_name", "last_name", "email", "username", "employee_number")
ENTRY_COLUMNS = (
    "id",
    "uuid",
    "date",
    "project_id",
    "project__name",
    "hours",
    "notes",
    "status",
    "decided_at",
    "decision_comment",
    "source",
    "created_at",
    "updated_at",
    "version",
    *(f"owner__{c}" for c in _PERSON_COLUMNS),
    *(f"decided_by__{c}" for c in _PERSON_COLUMNS),
)


def iso_datetime(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """As DRF's DateTimeField writes it: in the current time zone `zone`, ISO 8601, UTC as `Z`.

    A naive `value` is UTC: SQLite's driver reads a stored datetime without its zone.
    """
    if value is None:
        return None
    if zone is UTC_ZONE:  # the default TIME_ZONE: a UTC value as it is
        if value.tzinfo is None:
            return value.isoformat() + "Z"
        if value.tzinfo is dt.UTC:  # PostgreSQL's driver, its session zone being UTC
            return value.isoformat()[:-6] + "Z"
    elif value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


UTC_ZONE = ZoneInfo("UTC")  # timezone.get_current_timezone() when TIME_ZONE is "UTC" (ZoneInfo keeps one instance)


def person_output(
    person_id: int | None,
    name: str,
    first_name: str,
    last_name: str,
    email: str,
    username: str,
    employee_number: str,
) -> dict[str, Any] | None:
    """A person from their columns (_PERSON_COLUMNS, in that order), as UserSerializer writes them."""
    if person_id is None:
        return None
    full_name = f"{first_name} {last_name}".strip()
    return {
        "id": person_id,
        "name": name or full_name or email or username,  # User.display_name
        "email": email,
        "employee_number": employee_number,
    }


def entry_rows(entries: QuerySet[Entry]) -> QuerySet:
    """The columns entry_output needs, as dicts (ordering and filters of `entries` kept)."""
    return entries.values(*ENTRY_COLUMNS)


_ENTRY_PATHS = tuple((column, tuple(column.split("__"))) for column in ENTRY_COLUMNS)


def entry_row_of(entry: Entry) -> dict[str, Any]:
    """An Entry instance (its project, owner and decider loaded or at hand) as a row of entry_rows."""
    row = {}
    for column, path in _ENTRY_PATHS:
        value: Any = entry
        for name in path:
            value = getattr(value, name) if value is not None else None
        row[column] = value
    return row


def entries_output(rows: Iterable[dict[str, Any] | EntryRecord]) -> list[dict[str, Any]]:
    """Rows of entry_rows as EntrySerializer(many=True) writes the entries.

    The rows' values are the ORM's (dates, Decimals, UUIDs, aware datetimes) or, from a prepared
    query (timesheets/api/prepared.py), the database driver's: on SQLite naive (UTC) datetimes,
    hours as a number, the uuid as 32 hex digits.
    """
    zone = timezone.get_current_timezone()
    return [entry_output(row, zone) for row in rows]


def uuid_text(value: Any) -> str:
    if type(value) is str and len(value) == 32:  # SQLite stores a UUIDField as 32 hex digits
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


# A row of entry_rows as a tuple with its columns by name: the prepared lists' rows
# (timesheets/api/prepared.py) come as these, straight from the driver's tuples, with no dict per row.
EntryRecord = namedtuple("EntryRecord", ENTRY_COLUMNS)
OWNER_COLUMNS = slice(ENTRY_COLUMNS.index("owner__id"), ENTRY_COLUMNS.index("owner__id") + len(_PERSON_COLUMNS))
DECIDER_COLUMNS = slice(
    ENTRY_COLUMNS.index("decided_by__id"), ENTRY_COLUMNS.index("decided_by__id") + len(_PERSON_COLUMNS)
)


def entry_timestamps(created_at: dt.datetime, updated_at: dt.datetime, zone: dt.tzinfo) -> tuple[str, str]:
    """An entry's created_at and updated_at as iso_datetime writes them, the common cases inline.

    Called per row of every list: a UTC datetime, naive (SQLite's driver) or in datetime.UTC
    (PostgreSQL's), in the default UTC zone, is written as it is.
    """
    # Both timestamps' zone when it is the same and the output is UTC: None (naive UTC, SQLite's driver),
    # dt.UTC (PostgreSQL's driver) or another zone; False otherwise. The first two are written as they are.
    stored_zone = created_at.tzinfo if zone is UTC_ZONE and created_at.tzinfo is updated_at.tzinfo else False
    if stored_zone is None:
        return created_at.isoformat() + "Z", updated_at.isoformat() + "Z"
    if stored_zone is dt.UTC:
        return created_at.isoformat()[:-6] + "Z", updated_at.isoformat()[:-6] + "Z"
    return iso_datetime(created_at, zone), iso_datetime(updated_at, zone)


def entry_output(row: dict[str, Any] | EntryRecord, zone: dt.tzinfo) -> dict[str, Any]:
    """One row of entry_rows (a dict, or an EntryRecord) as EntrySerializer writes the entry.

    The API lists write their rows as JSON text instead (entry_json.py); this is for the answers
    that carry entries among other data (an upload's, a new entry's).
    """
    if type(row) is dict:
        row = EntryRecord(**row)
    created, updated = entry_timestamps(row.created_at, row.updated_at, zone)
    decided_at = row.decided_at
    return {
        "id": row.id,
        "uuid": uuid_text(row.uuid),
        "date": row.date.isoformat(),
        "project": row.project_id,
        "project_name": row.project__name,
        # HoursField leaves a Decimal that the JSON renderer writes as a float.
        "hours": float(row.hours),
        "notes": row.notes,
        "status": row.status,
        "owner": person_output(*row[OWNER_COLUMNS]),
        "decided_by": person_output(*row[DECIDER_COLUMNS]),
        "decided_at": None if decided_at is None else iso_datetime(decided_at, zone),
        "decision_comment": row.decision_comment,
        "source": row.source,
        "created_at": created,
        "updated_at": updated,
        "etag": entity_tag(row.version),
    }


COMPAT_COLUMNS = (
    "id",
    "owner__email",
    "owner__employee_number",
    "owner__sub",
    "day",  # the date as ISO text (compat_rows)
    "project__name",
    "hours",
    "status",
)


def compat_rows(entries: QuerySet[Entry], chunk_size: int = 2000) -> Iterator[tuple]:
    """The columns compat_json_rows needs, as the database driver returns them, chunk_size rows at a time.

    Django's per-value converters are skipped (they cost more than the rest of a row): hours come as a
    number or a Decimal, which compat_json_rows takes either. The date is read as ISO text (a cast in
    SQL: SQLite's driver otherwise parses every date, a fifth of a row's cost). On PostgreSQL the rows
    come through a server-side cursor, so memory stays bounded.
    """
    rows = entries.annotate(day=Cast("date", output_field=CharField())).values_list(*COMPAT_COLUMNS)
    compiler = rows.query.get_compiler(using=rows.db)
    for chunk in compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size):
        yield from chunk


def json_string(value: str) -> str:
    """A JSON string literal as DRF's JSONRenderer writes it (UTF-8 kept, U+2028/U+2029 escaped)."""
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def compat_json_rows(rows: Iterable[tuple]) -> Iterator[str]:
    """Each row of compat_rows as the JSON text CompatEntrySerializer + JSONRenderer write, built directly.

    A list has few distinct users and projects, so their JSON strings are encoded once and reused.
    """
    strings: dict[str, str] = {}
    approved_status = EntryStatus.APPROVED.value  # an enum member's lookup costs a tenth of a row
    for row in rows:
        entry_id, email, employee_number, sub, date, project, hours, status = row
        user_id = email or employee_number or sub
        user_json = strings.get(user_id) or strings.setdefault(user_id, json_string(user_id))
        project_json = strings.get(project) or strings.setdefault(project, json_string(project))
        day = date if type(date) is str else date.isoformat()
        approved = "true" if status == approved_status else "false"
        yield (
            f'{{"id":{int(entry_id)},"user_id":{user_json},"date":"{day}","project":{project_json},'
            f'"hours":{float(hours)!r},"approved":{approved}}}'
        )
