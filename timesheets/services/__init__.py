"""Writes and business rules for timesheet entries.

The API, the admin and batch upload all call these functions; nothing else
changes entries. Rules enforced here:

- hours are in quarter hours, more than 0 and at most 24;
- an owner's hours on one date never exceed 24 (checked with the owner's row
  locked, so two concurrent requests cannot both pass the check);
- creation is idempotent per (owner, uuid);
- approved entries are locked; only pending entries are decided;
- nobody decides on their own entries, and only a person decides;
- every change leaves an EntryAudit row;
- entries of a submitted or approved week are locked (no create, edit or delete);
  a week is submitted, withdrawn and decided in services/weeks.py, under the
  same owner lock.

The functions live in small modules by topic (entries, weeks, upload, provisioning);
callers import them from here.
"""

from __future__ import annotations

from timesheets.models import MAX_COMMENT_LENGTH, MAX_HOURS_PER_DAY, MAX_NOTES_LENGTH
from timesheets.services.decisions import entry_approve, entry_decide, entry_reject
from timesheets.services.entries import (
    day_total_error,
    entry_create,
    entry_delete,
    entry_field_errors,
    entry_update,
    entry_update_errors,
    validate_hours,
    validate_notes,
    validate_project,
)
from timesheets.services.provisioning import (
    MANAGER_PERMISSIONS,
    MANAGERS_GROUP_NAME,
    manager_admin_access_grant,
    manager_admin_access_revoke,
    managers_group_ensure,
    project_ensure,
)
from timesheets.services.timers import timer_discard, timer_hours, timer_start, timer_stop
from timesheets.services.upload import UploadItem, UploadResult, entries_upload, upload_key
from timesheets.services.weeks import (
    WeekCopyResult,
    week_approve,
    week_copy,
    week_decide,
    week_reject,
    week_submit,
    week_withdraw,
)

__all__ = [
    "MANAGERS_GROUP_NAME",
    "MANAGER_PERMISSIONS",
    "MAX_COMMENT_LENGTH",
    "MAX_HOURS_PER_DAY",
    "MAX_NOTES_LENGTH",
    "UploadItem",
    "UploadResult",
    "WeekCopyResult",
    "day_total_error",
    "entries_upload",
    "entry_approve",
    "entry_create",
    "entry_decide",
    "entry_delete",
    "entry_field_errors",
    "entry_reject",
    "entry_update",
    "entry_update_errors",
    "manager_admin_access_grant",
    "manager_admin_access_revoke",
    "managers_group_ensure",
    "project_ensure",
    "timer_discard",
    "timer_hours",
    "timer_start",
    "timer_stop",
    "upload_key",
    "validate_hours",
    "validate_notes",
    "validate_project",
    "week_approve",
    "week_copy",
    "week_decide",
    "week_reject",
    "week_submit",
    "week_withdraw",
]
