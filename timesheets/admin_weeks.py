"""The managers' Weeks list: state, totals, links to the entries, approve or reject through the services.

Deciding needs the `change_week` permission, which the "Managers" group holds
(services.MANAGER_PERMISSIONS). Weeks are created by employees submitting them
(API, phone app); the admin never adds, edits or deletes one by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from timesheets import selectors, services
from timesheets.admin_common import ReadOnlyHistoryInline, reject_comment_page
from timesheets.errors import DomainError
from timesheets.models import MAX_COMMENT_LENGTH, Week, WeekAudit, WeekState, monday_of

STATE_COLOURS = {
    WeekState.OPEN: "#555",
    WeekState.SUBMITTED: "#8a6d00",
    WeekState.APPROVED: "#1d7a35",
    WeekState.REJECTED: "#b3261e",
}


def state_badge(state: str) -> str:
    return format_html('<strong style="color:{}">{}</strong>', STATE_COLOURS[state], WeekState(state).label)


class WeekAuditInline(ReadOnlyHistoryInline):
    model = WeekAudit
    verbose_name_plural = "History"


class MondayFilter(admin.SimpleListFilter):
    """The week, by its Monday; any day given as `monday=YYYY-MM-DD` picks the week it falls in."""

    title = "week"
    parameter_name = "monday"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_week = monday_of(timezone.localdate())
        labels = ("This week", "Last week", "2 weeks ago", "3 weeks ago")
        return [
            (
                (this_week - dt.timedelta(weeks=back)).isoformat(),
                f"{label} ({this_week - dt.timedelta(weeks=back):%d %b})",
            )
            for back, label in enumerate(labels)
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Week]) -> QuerySet[Week]:
        if not self.value():
            return queryset
        try:
            monday = monday_of(dt.date.fromisoformat(self.value()))
        except ValueError:
            raise IncorrectLookupParameters("monday must be a date such as 2025-01-06") from None
        return queryset.filter(monday=monday)


class WeekChangeList(ChangeList):
    """Attaches each listed week's totals (selectors.WeekView), read for the whole page in one query."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        weeks = list(self.result_list)
        for week, view in zip(weeks, selectors.week_views_of(weeks), strict=True):
            week.view = view  # type: ignore[attr-defined]
        self.result_list = weeks


class WeekRejectForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=MAX_COMMENT_LENGTH,
        help_text="Tell the employee why; they see this comment, correct the week and submit it again.",
    )

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise ValidationError("Say why the weeks are rejected.")
        return comment


@admin.register(Week)
class WeekAdmin(admin.ModelAdmin):
    list_display = (
        "owner_name",
        "week_label",
        "state_badge",
        "total_hours",
        "entry_counts",
        "submitted_at",
        "decided_by",
        "entries_link",
    )
    list_filter = ("state", MondayFilter, ("owner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("owner__name", "owner__email", "owner__employee_number")
    list_select_related = ("owner", "decided_by")
    list_per_page = 100
    # (monday, id) and (state, monday, id) are indexed: the list and the state filter read them in order.
    ordering = ("-monday", "-id")
    actions = ("approve_selected", "reject_selected")
    inlines = (WeekAuditInline,)
    fields = ("owner", "monday", "state", "submitted_at", "decided_by", "decided_at", "comment", "entries_link")
    readonly_fields = fields

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return WeekChangeList

    @admin.display(description="Employee", ordering="owner__name")
    def owner_name(self, week: Week) -> str:
        return week.owner.display_name

    @admin.display(description="Week", ordering="monday")
    def week_label(self, week: Week) -> str:
        year, number, _ = week.monday.isocalendar()
        return f"{year}-W{number:02d} ({week.monday:%d %b} to {week.sunday:%d %b})"

    @admin.display(description="State", ordering="state")
    def state_badge(self, week: Week) -> str:
        return state_badge(week.state)

    @admin.display(description="Hours")
    def total_hours(self, week: Week) -> str:
        view = getattr(week, "view", None)
        return f"{view.total_hours:.2f}" if view is not None else "-"

    @admin.display(description="Entries (pending / approved / rejected)")
    def entry_counts(self, week: Week) -> str:
        view = getattr(week, "view", None)
        if view is None:
            return "-"
        counts = view.counts
        return f"{counts['pending']} / {counts['approved']} / {counts['rejected']}"

    @admin.display(description="Entries")
    def entries_link(self, week: Week) -> str:
        url = reverse("admin:timesheets_entry_changelist")
        return format_html(
            '<a href="{}?owner__id__exact={}&amp;week={}">Entries of the week</a>', url, week.owner_id, week.monday
        )

    # --- permissions: weeks are submitted by employees, decided through the actions ----------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Every field is read-only; the change page shows the week and its history.
        return obj is None and super().has_change_permission(request)

    # --- actions -------------------------------------------------------------------------------------

    def _decide(self, request: HttpRequest, queryset: QuerySet[Week], *, approve: bool, comment: str = "") -> None:
        done = 0
        verb = "approve" if approve else "reject"
        for week in queryset.select_related("owner").order_by("monday", "id"):
            try:
                services.week_decide(week=week, actor=request.user, approve=approve, comment=comment)
            except (ValidationError, DomainError) as exc:
                reasons = exc.messages if isinstance(exc, ValidationError) else [exc.message]
                for reason in reasons:
                    self.message_user(request, f"Could not {verb} “{week}”: {reason}", messages.ERROR)
            else:
                done += 1
        if done:
            noun = "week" if done == 1 else "weeks"
            self.message_user(request, f"{'Approved' if approve else 'Rejected'} {done} {noun}.", messages.SUCCESS)

    @admin.action(description="Approve selected weeks (and their pending entries)", permissions=["decide"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Week]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject selected weeks (asks for a comment)", permissions=["decide"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Week]) -> HttpResponse | None:
        """First call shows a page asking why; the confirmed form posts back here with `apply`."""
        form = WeekRejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._decide(request, queryset, approve=False, comment=form.cleaned_data["comment"])
            return None
        weeks = list(queryset.select_related("owner").order_by("monday", "id"))
        return reject_comment_page(
            self,
            request,
            form=form,
            selected=weeks,
            template="timesheets/admin/week_reject.html",
            weeks=list(zip(weeks, selectors.week_views_of(weeks), strict=True)),
        )
