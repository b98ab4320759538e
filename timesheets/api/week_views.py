"""/api/weeks: the caller's weeks, submitting and withdrawing them. Thin: parse, call services/weeks.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authn.permissions import CREATE, READ
from timesheets import selectors, services
from timesheets.api.schema import error_response
from timesheets.api.serializers import (
    WeekSerializer,
)
from timesheets.api.views import client_id_of, parse_query
from timesheets.models import monday_of


class WeekFilters(serializers.Serializer):
    to = serializers.DateField(required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        date_to = attrs.get("to") or today
        date_from = attrs.get("from") or monday_of(date_to) - dt.timedelta(weeks=DEFAULT_WEEKS - 1)
        if date_from > date_to:
            raise serializers.ValidationError({"from": "`from` must not be after `to`."})
        if (monday_of(date_to) - monday_of(date_from)).days // 7 >= selectors.MAX_WEEKS_PER_LIST:
            raise serializers.ValidationError(
                {"from": f"Ask for at most {selectors.MAX_WEEKS_PER_LIST} weeks at once."}
            )
        return {"from": date_from, "to": date_to}


DEFAULT_WEEKS = 4


def parse_monday(raw: str) -> dt.date:
    try:
        monday = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"monday": "Give the week's Monday as YYYY-MM-DD."}) from None
    if monday.weekday() != 0:
        raise ValidationError({"monday": f"{monday.isoformat()} is not a Monday; a week is named by its Monday."})
    return monday


def own_week(request: Request, monday: dt.date) -> selectors.WeekView:
    view = selectors.week_get(actor=request.user, monday=monday)
    if view is None:
        raise exceptions.PermissionDenied("A client token owns no timesheet and so no weeks.")
    return view


MONDAY_PARAMETER = OpenApiParameter(
    "monday", OpenApiTypes.DATE, OpenApiParameter.PATH, description="The week's Monday (ISO week, Monday to Sunday)."
)

WEEK_ERRORS = (
    "Errors (JSON `{error, error_description}`): `week_locked` (409) the week is already submitted or approved; "
    "`week_incomplete` (400) no time in the week, or an entry still rejected; `week_not_submitted` (409); "
    "`already_decided` (409); `invalid_request` (400) with `fields.monday` for a day that is not a Monday."
)


@extend_schema(tags=["weeks"])
class WeekList(APIView):
    required_scopes = [READ]

    @extend_schema(
        summary="Your weeks",
        description=(
            "Each ISO week (Monday to Sunday) touching `from`..`to`, newest first: its state (`open`, `submitted`, "
            f"`approved`, `rejected`), totals per day and per project, and counts by entry status. Defaults: `to` "
            f"today, `from` {DEFAULT_WEEKS} weeks back; at most {selectors.MAX_WEEKS_PER_LIST} weeks."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive)."),
        ],
        responses={200: WeekSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(WeekFilters, request)
        weeks = selectors.week_list(actor=request.user, date_from=filters["from"], date_to=filters["to"])
        return Response(WeekSerializer(weeks, many=True).data)


@extend_schema(tags=["weeks"])
class WeekSubmit(APIView):
    required_scopes = [CREATE]

    @extend_schema(
        summary="Submit your week",
        description="The week must hold time and no rejected entry; its entries are then locked until it is "
        "withdrawn or rejected.\n\n" + WEEK_ERRORS,
        parameters=[MONDAY_PARAMETER],
        request=None,
        responses={
            200: WeekSerializer,
            400: error_response(
                "`week_incomplete`: no time in the week, or an entry still rejected; "
                "`invalid_request`: `monday` is not a Monday."
            ),
            409: error_response("`week_locked`: the week is already submitted or approved."),
        },
    )
    def post(self, request: Request, monday: str) -> Response:
        day = parse_monday(monday)
        services.week_submit(actor=request.user, monday=day, client_id=client_id_of(request))
        return Response(WeekSerializer(own_week(request, day)).data)


@extend_schema(tags=["weeks"])
class WeekWithdraw(APIView):
    required_scopes = [CREATE]

    @extend_schema(
        summary="Withdraw your submitted week",
        description="Only while nobody has decided it; the week is open (editable) again.\n\n" + WEEK_ERRORS,
        parameters=[MONDAY_PARAMETER],
        request=None,
        responses={
            200: WeekSerializer,
            409: error_response(
                "`week_not_submitted`: the week is not submitted; `already_decided`: it is already approved."
            ),
        },
    )
    def post(self, request: Request, monday: str) -> Response:
        day = parse_monday(monday)
        services.week_withdraw(actor=request.user, monday=day, client_id=client_id_of(request))
        return Response(WeekSerializer(own_week(request, day)).data)
