"""Shapes of the API's input and output. Types only: the rules are in timesheets/services/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from timesheets.models import MAX_COMMENT_LENGTH, MAX_NOTES_LENGTH, Entry, EntryStatus, Project, WeekState


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
    class Meta:
        model = Project
        fields = ["id", "name"]


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
