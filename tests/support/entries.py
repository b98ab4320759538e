"""Test data for entries in states the API reaches only through a manager's decision."""

from __future__ import annotations

from typing import Any

from timesheets.models import Entry, EntryStatus


def decided_entry(
    *, owner: Any, by: Any, project: Any, date: str, hours: float, status: str = EntryStatus.APPROVED, comment: str = ""
) -> Entry:
    """An entry `by` has already approved (or rejected), as the database constraints require it recorded."""
    entry = Entry.objects.create(
        owner=owner,
        date=date,
        project=project,
        hours=hours,
        status=status,
        decided_by=by,
        decided_at="2026-11-27T10:00:00Z",
        decision_comment=comment,
    )
    entry.refresh_from_db()  # the date and hours as the database holds them (a date, a Decimal), not as given
    return entry
