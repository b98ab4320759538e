"""The managers' reports in the admin: the streamed CSV export and the weekly summary.

Both are plain functions over querysets; timesheets/admin.py wires them to
admin URLs and permission checks.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek

from timesheets.models import Entry, EntryStatus, Week

# Rows fetched from the database per round trip while streaming the export: memory
# stays bounded by this, not by the number of rows exported.
EXPORT_CHUNK_ROWS = 1000

EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("employee", "owner__name"),
    ("email", "owner__email"),
    ("employee_number", "owner__employee_number"),
    ("date", "date"),
    ("project", "project__name"),
    ("hours", "hours"),
    ("status", "status"),
    ("notes", "notes"),
    ("decided_by", "decided_by__email"),
    ("decided_at", "decided_at"),
    ("decision_comment", "decision_comment"),
    ("source", "source"),
    ("uuid", "uuid"),
)

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def export_rows(queryset: QuerySet[Entry]) -> Iterator[str]:
    """CSV lines for `queryset`, header first, read from the database in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in EXPORT_COLUMNS])
    rows = queryset.values_list(*(path for _, path in EXPORT_COLUMNS)).iterator(chunk_size=EXPORT_CHUNK_ROWS)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


@dataclass
class EmployeeWeeks:
    owner_id: int
    name: str
    email: str
    weeks: dict[dt.date, dict[str, Any]] = field(default_factory=dict)
    total_hours: Decimal = Decimal(0)
    pending: int = 0

    def cells(self, weeks: Iterable[dt.date]) -> list[dict[str, Any] | None]:
        return [self.weeks.get(week) for week in weeks]


@dataclass
class WeeklySummary:
    weeks: list[dt.date]
    rows: list[EmployeeWeeks]
    week_totals: list[Decimal]
    week_pending: list[int]
    total_hours: Decimal
    total_pending: int


def weekly_summary(*, first_week: dt.date, week_count: int) -> WeeklySummary:
    """Hours and pending counts per employee per ISO week, for `week_count` weeks from `first_week`."""
    first_week = week_start(first_week)
    weeks = [first_week + dt.timedelta(weeks=i) for i in range(week_count)]
    end = weeks[-1] + dt.timedelta(days=6)
    aggregated = (
        Entry.objects.filter(date__gte=first_week, date__lte=end)
        .annotate(week=TruncWeek("date"))
        .values("week", "owner_id", "owner__name", "owner__email", "owner__username")
        .annotate(
            week_hours=Sum("hours"),
            week_pending=Count("id", filter=Q(status=EntryStatus.PENDING)),
            week_pending_hours=Sum("hours", filter=Q(status=EntryStatus.PENDING)),
            week_entries=Count("id"),
        )
    )
    by_owner: dict[int, EmployeeWeeks] = {}
    for row in aggregated:
        week = row["week"]
        if isinstance(week, dt.datetime):
            week = week.date()
        person = by_owner.setdefault(
            row["owner_id"],
            EmployeeWeeks(
                owner_id=row["owner_id"],
                name=row["owner__name"] or row["owner__username"],
                email=row["owner__email"],
            ),
        )
        person.weeks[week] = {
            "hours": row["week_hours"],
            "pending": row["week_pending"],
            "pending_hours": row["week_pending_hours"] or Decimal(0),
            "entries": row["week_entries"],
            "state": "open",  # a week never submitted has no row: open
        }
        person.total_hours += row["week_hours"]
        person.pending += row["week_pending"]
    stored = Week.objects.filter(owner__in=by_owner.keys(), monday__gte=first_week, monday__lte=weeks[-1])
    for owner_id, monday, state in stored.values_list("owner_id", "monday", "state"):
        cell = by_owner[owner_id].weeks.get(monday)
        if cell is not None:
            cell["state"] = state
    rows = sorted(by_owner.values(), key=lambda p: (p.name.lower(), p.owner_id))
    week_totals = [sum((p.weeks[w]["hours"] for p in rows if w in p.weeks), Decimal(0)) for w in weeks]
    week_pending = [sum(p.weeks[w]["pending"] for p in rows if w in p.weeks) for w in weeks]
    return WeeklySummary(
        weeks=weeks,
        rows=rows,
        week_totals=week_totals,
        week_pending=week_pending,
        total_hours=sum(week_totals, Decimal(0)),
        total_pending=sum(week_pending),
    )
