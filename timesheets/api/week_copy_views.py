"""POST /api/weeks/{monday}/copy: copy a week's entries into another week (issue 11 §4). Rules: services/weeks.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authn.permissions import CREATE
from timesheets import services
from timesheets.api.schema import error_response
from timesheets.api.serializers import EntrySerializer
from timesheets.api.views import client_id_of, parse, source_of
from timesheets.api.week_views import MONDAY_PARAMETER, parse_monday
from timesheets.services.weeks import COPY_MODES, CopySkip


class WeekCopyInput(serializers.Serializer):
    days_with_time = serializers.ChoiceField(
        choices=list(COPY_MODES),
        required=False,
        default="skip",
        help_text="`skip` (default): a day of the target week that already holds time gets nothing; `add`: copies "
        "are added while the day stays within 24 hours.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # `from` is a Python keyword.
        fields["from"] = serializers.DateField(
            required=False, help_text="The Monday of the week to copy from. Default: the week before."
        )
        return fields


class CopySkipSerializer(serializers.Serializer):
    source = serializers.IntegerField(help_text="The id of the entry not copied.")
    date = serializers.DateField(help_text="The day it would have been copied to.")
    reason = serializers.ChoiceField(
        choices=[
            CopySkip.DAY_HAS_TIME,
            CopySkip.ALREADY_COPIED,
            CopySkip.DAY_TOTAL_EXCEEDED,
            CopySkip.PROJECT_INACTIVE,
            CopySkip.DATE_OUT_OF_RANGE,
        ]
    )


class WeekCopyResultSerializer(serializers.Serializer):
    created = EntrySerializer(many=True, help_text="The new entries (pending).")
    skipped = CopySkipSerializer(many=True, help_text="The source entries not copied, and why.")


@extend_schema(tags=["weeks"])
class WeekCopy(APIView):
    required_scopes = [CREATE]

    @extend_schema(
        summary="Copy a week into this one",
        description="Each entry of the source week (default: the week before) that is not rejected becomes a new "
        "pending entry on the same weekday of this week. Idempotent: a copy's uuid derives from its source's and "
        "this Monday, so calling again creates nothing new (`already_copied`). Entries a rule refuses are listed "
        "under `skipped` with a reason: `day_has_time` (mode `skip`, the day already held time), "
        "`already_copied`, `day_total_exceeded`, `project_inactive`, `date_out_of_range` (the date limits). One "
        "transaction. This week submitted or approved: 409 `week_locked`.",
        parameters=[MONDAY_PARAMETER],
        request=WeekCopyInput,
        responses={
            200: WeekCopyResultSerializer,
            400: error_response(
                "`invalid_request`: `monday` or `from` is not a Monday, `from` is this week, or `days_with_time` is "
                "neither `skip` nor `add`."
            ),
            403: error_response(
                "`insufficient_scope` (`scope` names it), or `permission_denied`: a client (machine) token owns no "
                "timesheet."
            ),
            409: error_response("`week_locked`: this week is submitted or approved."),
        },
    )
    def post(self, request: Request, monday: str) -> Response:
        day = parse_monday(monday)
        if not request.user.is_person:
            raise exceptions.PermissionDenied("A client token owns no timesheet and so no weeks.")
        # No body takes the defaults (DRF reads it as {}); a JSON `null` or any non-object body is a 400.
        data = parse(WeekCopyInput, request.data)
        result = services.week_copy(
            actor=request.user,
            monday=day,
            source_monday=data.get("from"),
            days_with_time=data["days_with_time"],
            source=source_of(request),
            client_id=client_id_of(request),
        )
        return Response(WeekCopyResultSerializer(result).data)
