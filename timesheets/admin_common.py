"""Pieces the entries and weeks admins share: the read-only history inline and the rejection comment page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.forms import Form
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse


class ReadOnlyHistoryInline(admin.TabularInline):
    verbose_name = "history record"
    fields = ("created_at", "action", "actor", "client_id", "comment", "changes")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def reject_comment_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, *, form: Form, selected: list, template: str, **context: Any
) -> TemplateResponse:
    """The page a "reject selected" action shows first, asking why (timesheets/admin/reject_base.html)."""
    opts = model_admin.model._meta
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "title": f"Reject {opts.verbose_name_plural}",
            "opts": opts,
            "selected": selected,
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "submit_label": f"Reject {opts.verbose_name_plural}",
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
            **context,
        },
    )
