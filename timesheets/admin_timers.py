"""Running timers (issue 11), read-only: who has one running, on what, since when.

Timers are started, stopped and discarded by their owners (the API, the phone app); the
admin only shows them, to those with the `view_timer` permission (superusers).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from timesheets.models import Timer


@admin.register(Timer)
class TimerAdmin(admin.ModelAdmin):
    list_display = ("owner", "project", "started_at_local", "date", "notes")
    list_select_related = ("owner", "project")
    search_fields = ("owner__email", "owner__name", "project__name", "notes")
    ordering = ("started_at",)

    @admin.display(description="Started (as the person gave it)", ordering="started_at")
    def started_at_local(self, timer: Timer) -> str:
        return timer.started_at_local.isoformat(timespec="minutes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
