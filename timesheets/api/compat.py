"""Root routes in the scenario's sample clients' format.

`/timesheets`, `/timesheets/upload`, `/approvals`, `/approvals/{id}` answer
with bare JSON arrays of {id, user_id (email), date, project (name), hours,
approved}, so the scenario's Android app, SPA and cron job work unchanged. The
same scopes, selectors and services as /api/ underneath; only the format differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from django.http import StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authn.permissions import APPROVE, BATCH_UPLOAD, CREATE, READ
from timesheets import selectors, services
from timesheets.api.approval_views import decide
from timesheets.api.schema import OneOrMany, error_response
from timesheets.api.serializers import (
    CompatEntrySerializer,
    EntryInput,
    UploadItemInput,
    compat_json_rows,
    compat_rows,
)
from timesheets.api.views import (
    MAX_UPLOAD_ITEMS,
    NOT_A_PERSON,
    client_id_of,
    create_own_entry,
    parse,
    parse_upload,
)
from timesheets.models import MAX_COMMENT_LENGTH

STREAM_BATCH_ROWS = 500


def _json_array_chunks(items: Iterable[str]) -> Iterator[bytes]:
    """A JSON array of the JSON texts `items`, STREAM_BATCH_ROWS per chunk."""
    yield b"["
    separator = ""
    items = iter(items)
    while batch := list(islice(items, STREAM_BATCH_ROWS)):
        yield (separator + ",".join(batch)).encode()
        separator = ","
    yield b"]"


def json_array_response(items: Iterable[str]) -> StreamingHttpResponse:
    return StreamingHttpResponse(_json_array_chunks(items), content_type="application/json")


class JSONBooleanField(serializers.BooleanField):
    """`true` or `false` only: DRF's BooleanField also takes 0, 1, "yes" and the like, which the schema does not."""

    def to_internal_value(self, data: object) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class CompatDecisionInput(serializers.Serializer):
    approved = JSONBooleanField(required=False, default=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=MAX_COMMENT_LENGTH, default="")


@extend_schema(tags=["sample-client compatibility"])
class CompatTimesheets(APIView):
    required_scopes = {"GET": [READ], "POST": [CREATE]}

    @extend_schema(summary="Your entries (sample-client format)", responses={200: CompatEntrySerializer(many=True)})
    def get(self, request: Request) -> StreamingHttpResponse:
        # Streamed: a user with years of entries costs bounded memory and starts answering at once.
        return json_array_response(compat_json_rows(compat_rows(selectors.entry_list(actor=request.user))))

    @extend_schema(
        summary="Log time (sample-client format)",
        request=EntryInput,
        responses={
            201: CompatEntrySerializer,
            200: CompatEntrySerializer,
            403: error_response(f"`insufficient_scope` (`scope` names it), or {NOT_A_PERSON}"),
        },
    )
    def post(self, request: Request) -> Response:
        entry, created = create_own_entry(request, parse(EntryInput, request.data))
        return Response(CompatEntrySerializer(entry).data, status=201 if created else 200)


@extend_schema(tags=["sample-client compatibility"])
class CompatUpload(APIView):
    required_scopes = [BATCH_UPLOAD]

    @extend_schema(
        summary="Upload entries (the sample cron job's format)",
        description='Body: `{"user_id": "007", "date": "2017-05-10T17:40:20.095Z", "project": "StoreZero", '
        '"hours": 5}` or a list of such objects. Answers with the entry, or a list for a list: 201 when '
        "something was created, 200 when every item had been uploaded before.",
        request=OneOrMany(UploadItemInput, max_items=MAX_UPLOAD_ITEMS),
        responses={
            201: OneOrMany(CompatEntrySerializer),
            200: OneOrMany(CompatEntrySerializer),
            400: error_response(
                "`upload_rejected`: items that are invalid or name an unknown employee or project (`items` lists "
                "them by index), nothing was written; `invalid_request`: the body is not an entry or a list of "
                "1 to 1000 entries."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        result = services.entries_upload(
            items=parse_upload(request.data), client_id=client_id_of(request), actor=request.user
        )
        body = CompatEntrySerializer(result.entries, many=True).data
        code = status.HTTP_201_CREATED if result.created_count else status.HTTP_200_OK
        return Response(body if isinstance(request.data, list) else body[0], status=code)


@extend_schema(tags=["sample-client compatibility"])
class CompatApprovals(APIView):
    required_scopes = [APPROVE]

    @extend_schema(
        summary="Entries waiting for approval (sample-client format)", responses={200: CompatEntrySerializer(many=True)}
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return json_array_response(compat_json_rows(compat_rows(selectors.approval_queue(actor=request.user))))


@extend_schema(tags=["sample-client compatibility"])
class CompatApprovalDecision(APIView):
    required_scopes = [APPROVE]

    @extend_schema(
        summary="Approve an entry (sample-client format)",
        description='An empty body approves; `{"approved": false, "comment": "…"}` rejects.',
        request=CompatDecisionInput,
        responses={
            200: CompatEntrySerializer,
            403: error_response(
                "`insufficient_scope` (`scope` names it); `self_approval`: your own entry; `person_required`: "
                "a client (machine) token decides nothing."
            ),
            409: error_response("`already_decided`: the entry is not pending."),
        },
    )
    def put(self, request: Request, entry_id: int) -> Response:
        # No body approves (the sample clients send none: DRF reads it as {}); a JSON `null` body is refused.
        data = parse(CompatDecisionInput, request.data)
        entry = decide(request, entry_id, approve=data["approved"], comment=data["comment"])
        return Response(CompatEntrySerializer(entry).data)
