"""The /api/ views: thin. Each declares its scopes, parses input, calls a selector or service."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authn.permissions import APPROVE, BATCH_UPLOAD, CREATE, DELETE, READ
from timesheets import selectors, services
from timesheets.api.serializers import (
    DecisionInput,
    EntryInput,
    EntryPatchInput,
    EntrySerializer,
    MeSerializer,
    ProjectSerializer,
    UploadItemInput,
    UploadResultSerializer,
    entries_output,
    entry_rows,
)
from timesheets.errors import UploadRejected
from timesheets.models import Entry, EntrySource, EntryStatus, Project

MAX_UPLOAD_ITEMS = 1000


class NewestFirst(CursorPagination):
    ordering = ("-date", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class OldestFirst(NewestFirst):
    ordering = ("date", "id")


def client_id_of(request: Request) -> str:
    return request.auth.client_id if request.auth else ""


def source_of(request: Request) -> str:
    return EntrySource.PWA if client_id_of(request) == settings.PWA_CLIENT_ID else EntrySource.API


def parse(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def resolve_project(ref: int | str, **other_fields: Any) -> Project:
    """The project named by `ref`; when it is unknown, the error lists `other_fields`' problems too."""
    project = selectors.project_find(ref=ref)
    if project is None:
        errors = services.entry_field_errors(**other_fields)
        errors["project"] = [f"Unknown project '{ref}'."]
        raise ValidationError(errors)
    return project


class EntryFilters(serializers.Serializer):
    # `from` is a Python keyword: the field is named `from_` and bound to the `from` parameter.
    to = serializers.DateField(required=False)
    project = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=EntryStatus.values, required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        return fields


@extend_schema(tags=["timesheets"])
class EntryListCreate(APIView):
    required_scopes = {"GET": [READ], "POST": [CREATE]}

    @extend_schema(
        summary="List your entries",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive)."),
            OpenApiParameter("project", int, description="Project id."),
            OpenApiParameter("status", str, enum=EntryStatus.values),
            OpenApiParameter("cursor", str, description="Opaque cursor from `next` / `previous`."),
            OpenApiParameter("page_size", int, description="At most 200, default 50."),
        ],
        responses={200: EntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        filters = parse(EntryFilters, request.query_params) if request.query_params else {}
        project = None
        if "project" in filters:
            project = selectors.project_find(ref=filters["project"], active_only=False)
            if project is None:
                raise ValidationError({"project": f"Unknown project '{filters['project']}'."})
        entries = selectors.entry_list(
            actor=request.user,
            date_from=filters.get("from"),
            date_to=filters.get("to"),
            project=project,
            status=filters.get("status"),
        )
        paginator = NewestFirst()
        page = paginator.paginate_queryset(entry_rows(entries), request, view=self)
        return paginator.get_paginated_response(entries_output(page))

    @extend_schema(
        summary="Log time",
        description="Creates an entry for the caller. Sending the same `uuid` again returns the entry "
        "created the first time (200) instead of a duplicate.",
        request=EntryInput,
        responses={201: EntrySerializer, 200: EntrySerializer},
    )
    def post(self, request: Request) -> Response:
        entry, created = create_own_entry(request, parse(EntryInput, request.data))
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def create_own_entry(request: Request, data: dict[str, Any]) -> tuple[Entry, bool]:
    if getattr(request.user, "pk", None) is None:
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

    @extend_schema(summary="One of your entries", responses={200: EntrySerializer})
    def get(self, request: Request, entry_id: int) -> Response:
        return Response(EntrySerializer(own_entry_or_404(request, entry_id)).data)

    @extend_schema(
        summary="Change one of your entries",
        description="Only while it is not approved. A rejected entry goes back to pending.",
        request=EntryPatchInput,
        responses={200: EntrySerializer},
    )
    def patch(self, request: Request, entry_id: int) -> Response:
        entry = own_entry_or_404(request, entry_id)
        data = parse(EntryPatchInput, request.data)
        if "project" in data:
            others = {k: data[k] for k in ("hours", "notes") if k in data}
            data["project"] = resolve_project(data["project"], **others)
        entry = services.entry_update(entry=entry, actor=request.user, client_id=client_id_of(request), **data)
        return Response(EntrySerializer(entry).data)

    @extend_schema(summary="Delete one of your entries", description="Not once it is approved.", responses={204: None})
    def delete(self, request: Request, entry_id: int) -> Response:
        services.entry_delete(
            entry=own_entry_or_404(request, entry_id), actor=request.user, client_id=client_id_of(request)
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
    for index, raw in enumerate(items):
        serializer = UploadItemInput(data=raw)
        if not serializer.is_valid():
            errors.append({"index": index, "fields": {k: [str(m) for m in v] for k, v in serializer.errors.items()}})
            continue
        v = serializer.validated_data
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
        request=UploadItemInput(many=True),
        responses={201: UploadResultSerializer, 200: UploadResultSerializer},
    )
    def post(self, request: Request) -> Response:
        result = services.entries_upload(
            items=parse_upload(request.data), client_id=client_id_of(request), actor=request.user
        )
        body = {
            "created": result.created_count,
            "existing": result.existing_count,
            "entries": EntrySerializer(result.entries, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created_count else status.HTTP_200_OK)


@extend_schema(tags=["approvals"])
class ApprovalList(APIView):
    required_scopes = [APPROVE]

    @extend_schema(
        summary="Entries waiting for a decision",
        description="Pending entries of everyone but the caller, oldest first.",
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses={200: EntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        paginator = OldestFirst()
        page = paginator.paginate_queryset(entry_rows(selectors.approval_queue(actor=request.user)), request, view=self)
        return paginator.get_paginated_response(entries_output(page))


def decide(request: Request, entry_id: int, *, approve: bool, comment: str) -> Entry:
    entry = selectors.approvable_entry_get(actor=request.user, entry_id=entry_id)
    if entry is None:
        raise Http404
    return services.entry_decide(
        entry=entry, actor=request.user, approve=approve, comment=comment, client_id=client_id_of(request)
    )


@extend_schema(tags=["approvals"])
class ApprovalDecision(APIView):
    required_scopes = [APPROVE]

    @extend_schema(
        summary="Approve or reject an entry",
        description="Pending entries only, never your own. A rejection needs a comment.",
        request=DecisionInput,
        responses={200: EntrySerializer},
    )
    def put(self, request: Request, entry_id: int) -> Response:
        data = parse(DecisionInput, request.data)
        entry = decide(request, entry_id, approve=data["status"] == EntryStatus.APPROVED, comment=data["comment"])
        return Response(EntrySerializer(entry).data)


@extend_schema(tags=["profile"])
class Me(APIView):
    required_scopes = [READ]

    @extend_schema(summary="Who the token is for, and its scopes", responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        user = request.user
        token = request.auth
        is_person = getattr(user, "pk", None) is not None
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

    @extend_schema(summary="Active projects", responses={200: ProjectSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(ProjectSerializer(selectors.project_list_active(), many=True).data)
