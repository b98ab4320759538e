"""The /api/ views: thin. Each declares its scopes, parses input, calls a selector or service."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authn.permissions import BATCH_UPLOAD, CREATE, DELETE, READ
from timesheets import selectors, services
from timesheets.api import prepared
from timesheets.api.pagination import NewestFirst
from timesheets.api.parsers import field_type_errors, validated
from timesheets.api.schema import OneOrMany, error_response
from timesheets.api.serializers import (
    EntryInput,
    EntryPatchInput,
    EntrySerializer,
    MeSerializer,
    ProjectSerializer,
    UploadItemInput,
    UploadResultSerializer,
    entries_output,
    entry_output,
    entry_row_of,
)
from timesheets.errors import UploadRejected
from timesheets.models import Entry, EntrySource, EntryStatus, Project

MAX_UPLOAD_ITEMS = 1000


def client_id_of(request: Request) -> str:
    return request.auth.client_id if request.auth else ""


def source_of(request: Request) -> str:
    return EntrySource.PWA if client_id_of(request) == settings.PWA_CLIENT_ID else EntrySource.API


def parse(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    values, errors = validated(serializer_class(data=data, **kwargs), data)
    if errors:
        raise exceptions.ValidationError(errors)
    return values


def resolve_project(ref: int | str, **other_fields: Any) -> Project:
    """The project named by `ref`; when it is unknown, the error lists `other_fields`' problems too."""
    project = selectors.project_find(ref=ref)
    if project is None:
        errors = services.entry_field_errors(**other_fields)
        errors["project"] = [f"Unknown project '{ref}'."]
        raise ValidationError(errors)
    return project


def parse_query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Query parameters as plain values: an empty `?status=` is a bad value (400 naming it), not an absent one."""
    return parse(serializer_class, request.query_params.dict())


class PageParameters(serializers.Serializer):
    """Cursor pagination; the paginator reads them, they are checked here so a bad one is a 400, not ignored."""

    cursor = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=NewestFirst.max_page_size)


class EntryFilters(PageParameters):
    # `from` is a Python keyword: the field is named `from_` and bound to the `from` parameter.
    to = serializers.DateField(required=False)
    project = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=EntryStatus.values, required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        return fields


PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        str,
        description="Opaque cursor from `next` / `previous`; one this API did not issue is a 404.",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": NewestFirst.max_page_size},
        description=f"Entries per page, default {NewestFirst.page_size}.",
    ),
]
LOCKED = error_response("`entry_locked`: the entry is approved and can no longer be changed or deleted.")
ETAG_HEADER = OpenApiParameter(
    "ETag",
    {"type": "string", "pattern": '^"[1-9][0-9]*"$'},
    OpenApiParameter.HEADER,
    response=[200, 201],
    required=True,
    description='The entry\'s strong ETag (`"<version>"`), as its `etag` field.',
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='Act only if the entry is still at this version: its `etag` (e.g. `"3"`), a list of them, or `*` '
    "(any existing entry). Strong comparison: a weak tag (`W/...`) never matches. Without it the entry is "
    "changed whatever its version.",
)
PRECONDITION_FAILED = error_response(
    "`precondition_failed`: `If-Match` names another version of the entry; nothing was written. `current` is the "
    "entry as it is now."
)
NOT_A_PERSON = "`permission_denied`: a client (machine) token owns no timesheet."


@extend_schema(tags=["timesheets"])
class EntryListCreate(APIView):
    required_scopes = {"GET": [READ], "POST": [CREATE]}
    pagination_class = NewestFirst  # for the schema: GET answers one page {next, previous, results}

    @extend_schema(
        summary="List your entries",
        description="Newest first. A filter or page parameter with a bad value (also an empty one) is a 400 "
        "naming it; a `project` that does not exist is a 400 too.",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive)."),
            OpenApiParameter("project", {"type": "integer", "minimum": 1}, description="Project id."),
            OpenApiParameter("status", str, enum=EntryStatus.values),
            *PAGE_PARAMETERS,
        ],
        responses={200: EntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(EntryFilters, request) if request.query_params else {}
        project = None
        if "project" in filters:
            project = selectors.project_find(ref=filters["project"], active_only=False)
            if project is None:
                raise ValidationError({"project": f"Unknown project '{filters['project']}'."})
        rows = prepared.own_entries(
            actor=request.user,
            date_from=filters.get("from"),
            date_to=filters.get("to"),
            project_id=project.pk if project is not None else None,
            status=filters.get("status"),
        )
        paginator = NewestFirst()
        paginator.paginate_queryset(rows, request, view=self)
        return paginator.entries_response()

    @extend_schema(
        summary="Log time",
        description="Creates an entry for the caller. Sending the same `uuid` again returns the entry "
        "created the first time (200) instead of a duplicate.",
        request=EntryInput,
        responses={
            201: EntrySerializer,
            200: EntrySerializer,
            403: error_response(f"`insufficient_scope` (`scope` names it), or {NOT_A_PERSON}"),
        },
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        entry, created = create_own_entry(request, parse(EntryInput, request.data))
        # What EntrySerializer(entry).data is, without building the serializer's fields per request.
        body = entry_output(entry_row_of(entry), timezone.get_current_timezone())
        return Response(
            body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, headers={"ETag": entry.etag}
        )


def create_own_entry(request: Request, data: dict[str, Any]) -> tuple[Entry, bool]:
    if not request.user.is_person:
        raise exceptions.PermissionDenied(
            "A client token owns no timesheet; upload entries for employees at /api/timesheets/upload."
        )
    return services.entry_create(
        owner=request.user,
        date=data["date"],
        project=resolve_project(data["project"], hours=data["hours"], notes=data.get("notes", "")),
        hours=data["hours"],
        notes=data.get("notes", ""),
        uuid=data.get("uuid"),
        source=source_of(request),
        client_id=client_id_of(request),
    )


def own_entry_or_404(request: Request, entry_id: int) -> Entry:
    entry = selectors.entry_get(actor=request.user, entry_id=entry_id)
    if entry is None:
        raise Http404
    return entry


@extend_schema(tags=["timesheets"])
class EntryDetail(APIView):
    required_scopes = {"GET": [READ], "PATCH": [CREATE], "DELETE": [DELETE]}

    @extend_schema(summary="One of your entries", responses={200: EntrySerializer}, parameters=[ETAG_HEADER])
    def get(self, request: Request, entry_id: int) -> Response:
        entry = own_entry_or_404(request, entry_id)
        return Response(EntrySerializer(entry).data, headers={"ETag": entry.etag})

    @extend_schema(
        summary="Change one of your entries",
        description="Only while it is not approved. A rejected entry goes back to pending. With `If-Match`, only "
        "while the entry is still at that version (else 412).",
        request=EntryPatchInput,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        responses={200: EntrySerializer, 409: LOCKED, 412: PRECONDITION_FAILED},
    )
    def patch(self, request: Request, entry_id: int) -> Response:
        entry = own_entry_or_404(request, entry_id)
        data = parse(EntryPatchInput, request.data)
        if "project" in data:
            others = {k: data[k] for k in ("hours", "notes") if k in data}
            data["project"] = resolve_project(data["project"], **others)
        entry = services.entry_update(
            entry=entry,
            actor=request.user,
            client_id=client_id_of(request),
            if_match=request.headers.get("If-Match"),
            **data,
        )
        return Response(EntrySerializer(entry).data, headers={"ETag": entry.etag})

    @extend_schema(
        summary="Delete one of your entries",
        description="Not once it is approved. With `If-Match`, only while the entry is still at that version "
        "(else 412).",
        parameters=[IF_MATCH_HEADER],
        responses={204: None, 409: LOCKED, 412: PRECONDITION_FAILED},
    )
    def delete(self, request: Request, entry_id: int) -> Response:
        services.entry_delete(
            entry=own_entry_or_404(request, entry_id),
            actor=request.user,
            client_id=client_id_of(request),
            if_match=request.headers.get("If-Match"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def parse_upload(data: Any) -> list[services.UploadItem]:
    """One entry or a list of entries; every item's shape errors are reported with its index."""
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise ValidationError({"entries": "Send an entry object or a non-empty list of entry objects."})
    if len(items) > MAX_UPLOAD_ITEMS:
        raise ValidationError({"entries": f"Send at most {MAX_UPLOAD_ITEMS} entries per request."})
    parsed: list[services.UploadItem] = []
    errors: list[dict[str, Any]] = []
    shape = UploadItemInput()  # one instance for every item: building a serializer's fields is the costly part
    for index, raw in enumerate(items):
        try:
            v = shape.run_validation(raw)
            item_errors: dict[str, list[str]] = {}
        except serializers.ValidationError as exc:
            v, item_errors = {}, {name: [str(m) for m in found] for name, found in exc.detail.items()}
        item_errors.update(field_type_errors(shape, raw))
        if item_errors:
            errors.append({"index": index, "fields": item_errors})
            continue
        parsed.append(
            services.UploadItem(
                user_ref=v["user_id"].strip(),
                date=v["date"],
                project_ref=v["project"],
                hours=v["hours"],
                notes=v["notes"],
                uuid=v["uuid"],
            )
        )
    if errors:
        raise UploadRejected(errors)
    return parsed


@extend_schema(tags=["batch"])
class EntryUpload(APIView):
    required_scopes = [BATCH_UPLOAD]

    @extend_schema(
        summary="Upload entries for employees",
        description=(
            f"One entry or a list of up to {MAX_UPLOAD_ITEMS}. `user_id` is the employee's email or employee "
            "number. All or nothing: one invalid item rejects the request (400, `items` lists each problem by "
            "index). Idempotent: an item's `uuid`, or a key derived from the item and the calling client, "
            "identifies it, so sending a batch again creates nothing new."
        ),
        request=OneOrMany(UploadItemInput, max_items=MAX_UPLOAD_ITEMS),
        responses={
            201: UploadResultSerializer,
            200: UploadResultSerializer,
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
        body = {
            "created": result.created_count,
            "existing": result.existing_count,
            # What EntrySerializer(many=True) writes, without a serializer's fields per entry (1,000 at most).
            "entries": entries_output(entry_row_of(entry) for entry in result.entries),
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created_count else status.HTTP_200_OK)


@extend_schema(tags=["profile"])
class Me(APIView):
    required_scopes = [READ]

    @extend_schema(summary="Who the token is for, and its scopes", responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        user = request.user
        token = request.auth
        is_person = user.is_person
        return Response(
            {
                "sub": token.subject,
                "kind": "user" if is_person else "client",
                "id": user.pk if is_person else None,
                "name": user.display_name if is_person else "",
                "email": user.email if is_person else "",
                "employee_number": user.employee_number if is_person else None,
                "client_id": token.client_id,
                "scopes": sorted(token.scopes),
            }
        )


@extend_schema(tags=["profile"])
class ProjectList(APIView):
    required_scopes = [READ]

    @extend_schema(
        summary="Active projects",
        description="By name, each with `last_used`: the latest day you logged time on it.",
        responses={200: ProjectSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        projects = selectors.project_list_with_last_use(actor=request.user)
        return Response(ProjectSerializer(projects, many=True).data)
