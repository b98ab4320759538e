"""The managers' admin: review, approve or reject, export and summarise time.

Every write goes through timesheets/services/, exactly as the API's do, so
the rules (no self-approval, approved entries locked, 24 hours a day, an audit
row per change) hold here too. Deciding on entries and correcting them needs
the `change_entry` permission, which the "Managers" group holds
(services.managers_group_ensure).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from timesheets import admin_changelist, admin_reports, services
from timesheets.admin_common import ReadOnlyHistoryInline, reject_comment_page
from timesheets.errors import DomainError
from timesheets.models import MAX_COMMENT_LENGTH, Entry, EntryAudit, EntryStatus, Project

admin.site.site_header = "ABC Timesheets administration"
admin.site.site_title = "ABC Timesheets admin"
# Adds the weekly summary link to the admin index (the template extends admin/index.html).
admin.site.index_template = "timesheets/admin/index.html"
if settings.ADMIN_SSO:
    # Offer the external issuer's sign-in (timesheets/admin_sso.py) on the admin login page.
    admin.site.login_template = "timesheets/admin/login.html"

SUMMARY_MAX_WEEKS = 12


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    if isinstance(exc, DomainError):
        return [exc.message]
    return [str(exc)]


class EntryAuditInline(ReadOnlyHistoryInline):
    """The entry's history: creation, edits and every decision, newest first. Never editable."""

    model = EntryAudit
    fk_name = "entry"
    verbose_name_plural = "Decision history"


class EntryAdminForm(forms.ModelForm):
    """Shows on the form what the service would refuse (services.entry_update_errors), instead of failing the save."""

    class Meta:
        model = Entry
        fields = ("date", "project", "hours", "notes")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        changes = {name: data[name] for name in self.Meta.fields if data.get(name) is not None}
        for field, refusals in services.entry_update_errors(entry=self.instance, **changes).items():
            for refusal in refusals:
                self.add_error(field, refusal)  # NON_FIELD_ERRORS: the entry as a whole
        return data


class WeekFilter(admin.SimpleListFilter):
    """ISO weeks (Monday to Sunday). Any Monday given as `week=YYYY-MM-DD` works, not only the choices."""

    title = "week"
    parameter_name = "week"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_week = admin_reports.week_start(timezone.localdate())
        choices = []
        for back, label in ((0, "This week"), (1, "Last week"), (2, "2 weeks ago"), (3, "3 weeks ago")):
            monday = this_week - dt.timedelta(weeks=back)
            choices.append((monday.isoformat(), f"{label} ({monday:%d %b})"))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Entry]) -> QuerySet[Entry]:
        if not self.value():
            return queryset
        try:
            monday = admin_reports.week_start(dt.date.fromisoformat(self.value()))
        except ValueError:
            raise IncorrectLookupParameters("week must be a date such as 2025-01-06") from None
        return queryset.filter(date__gte=monday, date__lte=monday + dt.timedelta(days=6))


class RejectForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=MAX_COMMENT_LENGTH,
        help_text="Tell the employee why; they see this comment and can correct the entry.",
    )

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise ValidationError("Say why the entries are rejected.")
        return comment


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    form = EntryAdminForm
    change_list_template = "timesheets/admin/entry_change_list.html"
    list_display = ("owner_name", "date", "project", "hours", "status_badge", "decided_by", "decided_at")
    list_display_links = ("owner_name", "date")
    list_filter = (
        "status",
        WeekFilter,
        ("project", admin_changelist.WithEntriesFieldListFilter),
        ("owner", admin_changelist.WithEntriesFieldListFilter),
        "source",
    )
    # Drawn by admin_changelist.date_hierarchy (index seeks), not Django's tag (a scan of the list).
    date_hierarchy = "date"
    # No second COUNT(*) of the unfiltered table for the search's "N total" link.
    show_full_result_count = False
    # Facet counts are one COUNT per filter choice over the whole list: a full scan per filter.
    show_facets = admin.ShowFacets.NEVER
    search_fields = (
        "owner__name",
        "owner__email",
        "owner__username",
        "owner__employee_number",
        "project__name",
        "notes",
    )
    list_select_related = ("owner", "project", "decided_by")
    list_per_page = 100
    ordering = ("-date", "-id")
    actions = ("approve_selected", "reject_selected")
    inlines = (EntryAuditInline,)
    readonly_fields = (
        "owner",
        "status",
        "decided_by",
        "decided_at",
        "decision_comment",
        "uuid",
        "source",
        "client_id",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("owner", "date", "project", "hours", "notes")}),
        ("Decision", {"fields": ("status", "decided_by", "decided_at", "decision_comment")}),
        (
            "Provenance",
            {"classes": ("collapse",), "fields": ("source", "client_id", "uuid", "created_at", "updated_at")},
        ),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Entry], search_term: str
    ) -> tuple[QuerySet[Entry], bool]:
        if not search_term:
            return queryset, False
        return admin_changelist.search_entries(queryset, search_term, self.get_search_fields(request)), False

    @admin.display(description="Employee", ordering="owner__name")
    def owner_name(self, entry: Entry) -> str:
        return entry.owner.display_name

    @admin.display(description="Status", ordering="status")
    def status_badge(self, entry: Entry) -> str:
        colours = {EntryStatus.PENDING: "#8a6d00", EntryStatus.APPROVED: "#1d7a35", EntryStatus.REJECTED: "#b3261e"}
        return format_html('<strong style="color:{}">{}</strong>', colours[entry.status], entry.get_status_display())

    # --- permissions ---------------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Entries are logged by employees (API, phone app) or uploaded by integrations.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting is the owner's, through the API (which audits it); never bulk in the admin.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_locked:
            return False  # approved: the admin shows it read-only
        if obj is not None and services.entry_update_errors(entry=obj):
            return False  # its week is submitted or approved: read-only until it is withdrawn or rejected
        return super().has_change_permission(request, obj)

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request)

    # --- saving through the service --------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Entry, form: forms.ModelForm, change: bool) -> None:
        try:
            services.entry_update(
                entry=obj,
                actor=request.user,
                date=form.cleaned_data["date"],
                project=form.cleaned_data["project"],
                hours=form.cleaned_data["hours"],
                notes=form.cleaned_data["notes"],
            )
        except (ValidationError, DomainError) as exc:
            # The form checked the same rules a moment ago; another request changed the day since.
            request._entry_save_refused = _messages_of(exc)  # type: ignore[attr-defined]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_entry_save_refused", None):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: Entry) -> HttpResponse:
        refused = getattr(request, "_entry_save_refused", None)
        if refused:
            for message in refused:
                self.message_user(request, f"Not saved: {message}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # --- changelist: totals of the filtered list, date drill-down -------------------------------

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if cl is not None:
            response.context_data["entry_totals"] = admin_changelist.entry_totals(
                cl.queryset, result_count=cl.result_count
            )
            response.context_data["totals_max_entries"] = admin_changelist.TOTALS_MAX_ENTRIES
            response.context_data["entry_date_hierarchy"] = admin_changelist.date_hierarchy(cl)
            response.context_data["export_query"] = request.GET.urlencode()
        return response

    # --- actions ---------------------------------------------------------------------------------

    def _decide(self, request: HttpRequest, queryset: QuerySet[Entry], *, approve: bool, comment: str = "") -> None:
        done = 0
        verb = "approve" if approve else "reject"
        for entry in queryset.select_related("owner", "project").order_by("date", "id"):
            try:
                services.entry_decide(entry=entry, actor=request.user, approve=approve, comment=comment)
            except (ValidationError, DomainError) as exc:
                for message in _messages_of(exc):
                    self.message_user(request, f"Could not {verb} “{entry}”: {message}", messages.ERROR)
            else:
                done += 1
        if done:
            noun = "entry" if done == 1 else "entries"
            self.message_user(request, f"{'Approved' if approve else 'Rejected'} {done} {noun}.", messages.SUCCESS)

    @admin.action(description="Approve selected entries", permissions=["decide"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Entry]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject selected entries (asks for a comment)", permissions=["decide"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Entry]) -> HttpResponse | None:
        """First call shows a page asking why; the confirmed form posts back here with `apply`."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._decide(request, queryset, approve=False, comment=form.cleaned_data["comment"])
            return None
        entries = list(queryset.select_related("owner", "project").order_by("date", "id"))
        return reject_comment_page(
            self, request, form=form, selected=entries, template="timesheets/admin/entry_reject.html", entries=entries
        )

    # --- extra pages: export and weekly summary ---------------------------------------------------

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("export.csv", view(self.export_csv_view), name="timesheets_entry_export"),
            path("weekly-summary/", view(self.weekly_summary_view), name="timesheets_entry_weekly_summary"),
            *super().get_urls(),
        ]

    def export_csv_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The changelist's filtered list (every page) as CSV, streamed row by row."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.copy()
        query.pop("p", None)  # every page, not the one being looked at
        request.GET = query
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        response = StreamingHttpResponse(admin_reports.export_rows(queryset), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="timesheet-entries-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response

    def weekly_summary_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        weeks = _int_param(request.GET.get("weeks"), default=4, low=1, high=SUMMARY_MAX_WEEKS)
        try:
            until = dt.date.fromisoformat(request.GET["until"]) if request.GET.get("until") else None
        except ValueError:
            until = None
            self.message_user(
                request, "The 'until' date must look like 2025-01-31; showing this week.", messages.WARNING
            )
        last_week = admin_reports.week_start(until or timezone.localdate())
        first_week = last_week - dt.timedelta(weeks=weeks - 1)
        summary = admin_reports.weekly_summary(first_week=first_week, week_count=weeks)
        changelist = reverse("admin:timesheets_entry_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Weekly summary",
            "opts": self.model._meta,
            "summary": summary,
            "weeks": weeks,
            "rows": [(row, row.cells(summary.weeks)) for row in summary.rows],
            "week_columns": [
                {
                    "start": week,
                    "end": week + dt.timedelta(days=6),
                    "iso": week.isocalendar(),
                    "url": f"{changelist}?week={week.isoformat()}",
                }
                for week in summary.weeks
            ],
            "footer": [
                {"hours": hours, "pending": pending}
                for hours, pending in zip(summary.week_totals, summary.week_pending, strict=True)
            ],
            "earlier": (first_week - dt.timedelta(days=1)).isoformat(),
            "later": (last_week + dt.timedelta(weeks=weeks)).isoformat(),
            "changelist_url": changelist,
        }
        return TemplateResponse(request, "timesheets/admin/weekly_summary.html", context)


def _int_param(raw: str | None, *, default: int, low: int, high: int) -> int:
    try:
        value = int(raw) if raw else default
    except ValueError:
        return default
    return max(low, min(high, value))


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "entry_count", "created_at")
    list_filter = ("active",)
    search_fields = ("name",)
    ordering = ("name",)
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description="Entries", ordering="entry_count")
    def entry_count(self, project: Project) -> int:
        return project.entry_count  # type: ignore[attr-defined]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A project with time on it must stay (archive it instead: untick "active").
        if obj is not None and obj.entries.exists():
            return False
        return super().has_delete_permission(request, obj)


# The Weeks list and the running timers live in their own modules; importing them registers them.
from timesheets import admin_timers, admin_weeks  # noqa: E402, F401
