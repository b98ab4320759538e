"""/api/approvals: entries and weeks waiting for a manager's decision, and the decisions."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authn.permissions import APPROVE
from timesheets import selectors, services
from timesheets.api import prepared
from timesheets.api.pagination import OldestFirst
from timesheets.api.schema import error_response
from timesheets.api.serializers import (
    DecisionInput,
    EntrySerializer,
    WeekDecisionInput,
    WeekWithEntriesSerializer,
)
from timesheets.api.views import PAGE_PARAMETERS, PageParameters, client_id_of, parse, parse_query
from timesheets.api.week_views import WEEK_ERRORS
from timesheets.models import Entry, EntryStatus, WeekState


@extend_schema(tags=["approvals"])
class ApprovalList(APIView):
    required_scopes = [APPROVE]
    pagination_class = OldestFirst  # for the schema: GET answers one page {next, previous, results}

    @extend_schema(
        summary="Entries waiting for a decision",
        description="Pending entries of everyone but the caller, oldest first.",
        parameters=PAGE_PARAMETERS,
        responses={200: EntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        parse_query(PageParameters, request)
        paginator = OldestFirst()
        paginator.paginate_queryset(prepared.approval_queue(actor=request.user), request, view=self)
        return paginator.entries_response()


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
        responses={
            200: EntrySerializer,
            403: error_response(
                "`insufficient_scope` (`scope` names it); `self_approval`: your own entry; `person_required`: "
                "a client (machine) token decides nothing."
            ),
            409: error_response(
                "`already_decided`: the entry is not pending; `week_not_submitted`: with `REQUIRE_WEEK_SUBMISSION`, "
                "the entry's week is not submitted."
            ),
        },
    )
    def put(self, request: Request, entry_id: int) -> Response:
        data = parse(DecisionInput, request.data)
        entry = decide(request, entry_id, approve=data["status"] == EntryStatus.APPROVED, comment=data["comment"])
        return Response(EntrySerializer(entry).data)


@extend_schema(tags=["approvals"])
class WeekApprovalList(APIView):
    required_scopes = [APPROVE]

    @extend_schema(
        summary="Weeks waiting for a decision",
        description=f"Submitted weeks of everyone but the caller, oldest first (at most "
        f"{selectors.MAX_WEEKS_PER_LIST}), with totals and entries.",
        responses={200: WeekWithEntriesSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        weeks = list(selectors.week_approval_queue(actor=request.user)[: selectors.MAX_WEEKS_PER_LIST])
        return Response(WeekWithEntriesSerializer(selectors.week_views_of(weeks), many=True).data)


@extend_schema(tags=["approvals"])
class WeekApprovalDecision(APIView):
    required_scopes = [APPROVE]

    @extend_schema(
        summary="Approve or reject a week",
        description="A submitted week of someone else. Approving approves all its pending entries; rejecting "
        "(a comment is needed) puts them back to pending with the comment.\n\n" + WEEK_ERRORS,
        request=WeekDecisionInput,
        responses={
            200: WeekWithEntriesSerializer,
            409: error_response("`already_decided`: the week is decided; `week_not_submitted`: it is not submitted."),
        },
    )
    def put(self, request: Request, week_id: int) -> Response:
        data = parse(WeekDecisionInput, request.data)
        week = selectors.approvable_week_get(actor=request.user, week_id=week_id)
        if week is None:
            raise Http404
        week = services.week_decide(
            week=week,
            actor=request.user,
            approve=data["status"] == WeekState.APPROVED,
            comment=data["comment"],
            client_id=client_id_of(request),
        )
        return Response(WeekWithEntriesSerializer(selectors.week_views_of([week])[0]).data)
