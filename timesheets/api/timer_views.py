"""/api/timer: the person's running timer, kept on the server (issue 11 §3). Thin: parse, call services/timers.py."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authn.permissions import CREATE, READ
from timesheets import selectors
from timesheets.api.schema import error_response
from timesheets.api.serializers import EntrySerializer
from timesheets.api.timer_serializers import TimerDiscardQuery, TimerSerializer, TimerStartInput, TimerStopInput
from timesheets.api.views import ETAG_HEADER, client_id_of, parse, resolve_project, source_of
from timesheets.services import timers

NOT_A_PERSON_MESSAGE = "A client token owns no timesheet and so runs no timer."
NOT_A_PERSON = error_response(
    "`insufficient_scope` (`scope` names it), or `permission_denied`: a client (machine) token runs no timer."
)


def person_only(request: Request) -> None:
    if not request.user.is_person:
        raise exceptions.PermissionDenied(NOT_A_PERSON_MESSAGE)


@extend_schema(tags=["timer"])
class TimerDetail(APIView):
    required_scopes = {"GET": [READ], "PUT": [CREATE], "DELETE": [CREATE]}

    @extend_schema(
        summary="Your running timer",
        description="204 (no body) when none runs.",
        responses={200: TimerSerializer, 204: None, 403: NOT_A_PERSON},
    )
    def get(self, request: Request) -> Response:
        person_only(request)
        timer = selectors.timer_get(actor=request.user)
        if timer is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(TimerSerializer(timer).data)

    @extend_schema(
        summary="Start your timer",
        description="201: started. 200: this uuid already runs; its project, notes and started_at are updated. "
        "409 `timer_running` (with `timer`, the running one) when another uuid runs; 409 `timer_stopped` when "
        "this uuid was stopped already. `started_at` more than 5 minutes ahead, or on a day beyond the date "
        "limits, is a 400 naming it.",
        request=TimerStartInput,
        responses={
            201: TimerSerializer,
            200: TimerSerializer,
            403: NOT_A_PERSON,
            409: error_response(
                "`timer_running`: another timer runs (`timer` shows it); `timer_stopped`: this uuid was stopped."
            ),
        },
    )
    def put(self, request: Request) -> Response:
        person_only(request)
        data = parse(TimerStartInput, request.data)
        notes = data.get("notes", "")
        timer, created = timers.timer_start(
            owner=request.user,
            uuid=data["uuid"],
            project=resolve_project(data["project"], notes=notes),
            notes=notes,
            started_at=data.get("started_at"),
            client_id=client_id_of(request),
        )
        return Response(TimerSerializer(timer).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Discard your running timer",
        description="No entry is made. With `uuid`, only when that timer is the running one: otherwise (or when "
        "none runs) nothing changes, still 204, so an offline discard never stops a newer timer.",
        parameters=[OpenApiParameter("uuid", {"type": "string", "format": "uuid"}, description="The timer's uuid.")],
        responses={204: None, 403: NOT_A_PERSON},
    )
    def delete(self, request: Request) -> Response:
        person_only(request)
        query = parse(TimerDiscardQuery, request.query_params.dict())
        timers.timer_discard(owner=request.user, uuid=query.get("uuid"))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["timer"])
class TimerStop(APIView):
    required_scopes = [CREATE]

    @extend_schema(
        summary="Stop your timer: log its time",
        description="201 with the entry made (its uuid is the timer's; date: the day started_at fell on in its "
        "offset; hours: the elapsed time to the nearest quarter hour, halves up, at least 0.25). The same uuid "
        "again → 200 with that entry. The entry rules apply (24 hours a day, locked weeks, date limits); when "
        "one refuses, the timer keeps running.",
        request=TimerStopInput,
        parameters=[ETAG_HEADER],
        responses={
            201: EntrySerializer,
            200: EntrySerializer,
            403: NOT_A_PERSON,
            404: error_response("`timer_not_found`: no timer with this uuid runs, and none was stopped."),
            409: error_response("`week_locked`: the entry's week is submitted or approved."),
        },
    )
    def post(self, request: Request) -> Response:
        person_only(request)
        data = parse(TimerStopInput, request.data)
        entry, created = timers.timer_stop(
            owner=request.user,
            uuid=data["uuid"],
            stopped_at=data.get("stopped_at"),
            source=source_of(request),
            client_id=client_id_of(request),
        )
        return Response(
            EntrySerializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"ETag": entry.etag},
        )
