"""Shapes of the running timer's input and output (issue 11 §3). Types only: the rules are in services/timers.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from timesheets.api.serializers import ProjectRefField
from timesheets.models import MAX_NOTES_LENGTH, MAX_UTC_OFFSET_SECONDS


@extend_schema_field(OpenApiTypes.DATETIME)
class OffsetDateTimeField(serializers.Field):
    """An ISO 8601 date-time with its UTC offset (or `Z`), kept as given (DRF's DateTimeField would convert it)."""

    default_error_messages = {
        "invalid": "Give an ISO 8601 date-time with its offset, e.g. 2026-12-07T09:00:00+01:00.",
        "naive": "Give the date-time's offset from UTC (e.g. +01:00 or Z).",
        "range": "The date-time is out of range.",
    }

    def to_internal_value(self, data: Any) -> dt.datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            value = dt.datetime.fromisoformat(data.strip())
        except ValueError:
            self.fail("invalid")
        if value.utcoffset() is None:
            self.fail("naive")
        if abs(value.utcoffset().total_seconds()) > MAX_UTC_OFFSET_SECONDS:
            self.fail("invalid")
        try:
            value.astimezone(dt.UTC)  # year 1 or 9999 with an offset leaves datetime's range
        except OverflowError:
            self.fail("range")
        return value

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


class TimerSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    project = serializers.IntegerField(source="project_id")
    project_name = serializers.CharField(source="project.name")
    notes = serializers.CharField(allow_blank=True)
    started_at = OffsetDateTimeField(
        source="started_at_local", help_text="When the timer started, with the offset the client gave."
    )
    date = serializers.DateField(help_text="The calendar day of started_at in its offset: the entry's date.")


class TimerStartInput(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="Chosen by the client; the same uuid again updates the running timer.")
    project = ProjectRefField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTES_LENGTH, trim_whitespace=False)
    started_at = OffsetDateTimeField(
        required=False, help_text="ISO 8601 with offset; at most 5 minutes in the future. Default: now."
    )


class TimerStopInput(serializers.Serializer):
    uuid = serializers.UUIDField(help_text="The timer's uuid; the entry gets it.")
    stopped_at = OffsetDateTimeField(required=False, help_text="ISO 8601 with offset. Default: now.")


class TimerDiscardQuery(serializers.Serializer):
    uuid = serializers.UUIDField(required=False)
