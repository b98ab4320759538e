"""The entries list's parts that must stay fast with millions of entries.

Django's defaults read the whole entries table on every page: the owner and
project filters (`RelatedOnlyFieldListFilter`: SELECT DISTINCT over entries),
the date drill-down (DISTINCT of a truncated date; on SQLite a Python call per
row), totals over everything listed, and a search that joins every entry to its
employee and project. The replacements here give the same answers by index
look-ups whose number depends on employees, projects and years, not on
entries. timesheets/admin.py wires them into EntryAdmin.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import formats
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import gettext

from timesheets.models import Entry, EntryStatus

# Totals are added up only for a list of at most this many entries (a week of
# every employee, or all of one employee's time for years), so that the sum never
# reads millions of rows. A longer list says so and asks for a narrower filter.
TOTALS_MAX_ENTRIES = 10_000


class WithEntriesFieldListFilter(admin.RelatedFieldListFilter):
    """Employees (or projects) that have at least one entry, as RelatedOnlyFieldListFilter lists them.

    Asked per employee/project with EXISTS on an index that starts with the foreign key,
    instead of SELECT DISTINCT over every entry: the cost follows the users/projects tables.
    """

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        ordering = self.field_admin_ordering(field, request, model_admin)
        has_entries = Exists(Entry.objects.filter(**{field.name: OuterRef("pk")}))
        return field.get_choices(include_blank=False, limit_choices_to=Q(has_entries), ordering=ordering)


def entry_totals(queryset: QuerySet[Entry], *, result_count: int) -> dict[str, Any] | None:
    """Hours and entries of the whole filtered list (every page), or None when it is too long to add up."""
    if result_count > TOTALS_MAX_ENTRIES:
        return None
    totals = queryset.order_by().aggregate(
        total_hours=Sum("hours"),
        total_entries=Count("id"),
        total_pending_hours=Sum("hours", filter=Q(status=EntryStatus.PENDING)),
        total_pending=Count("id", filter=Q(status=EntryStatus.PENDING)),
    )
    return {
        "hours": totals["total_hours"] or Decimal(0),
        "entries": totals["total_entries"],
        "pending_hours": totals["total_pending_hours"] or Decimal(0),
        "pending": totals["total_pending"],
    }


def search_entries(queryset: QuerySet[Entry], search_term: str, search_fields: tuple[str, ...]) -> QuerySet[Entry]:
    """The entries Django's admin search finds (every word in one of `search_fields`, case-insensitive).

    Django joins every entry to its owner and project and tests each field row by row.
    Here the owner's and project's fields are matched in their own small tables first,
    and entries are kept by `owner_id IN (...)` / `project_id IN (...)`: one pass over
    entries with an id look-up, the notes being the only text compared per entry.
    """
    related: dict[str, list[str]] = {}
    direct: list[str] = []
    for name in search_fields:
        if name[:1] in ("^", "=", "@"):
            raise ImproperlyConfigured(f"search_entries matches with icontains only; got {name!r}.")
        relation, _, rest = name.partition("__")
        if rest:
            related.setdefault(relation, []).append(rest)
        else:
            direct.append(name)
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        term = Q.create([(f"{name}__icontains", bit) for name in direct], connector=Q.OR)
        for relation, fields in related.items():
            model = Entry._meta.get_field(relation).related_model
            matching = model._default_manager.filter(
                Q.create([(f"{name}__icontains", bit) for name in fields], connector=Q.OR)
            )
            term |= Q(**{f"{relation}__in": matching.values("pk")})
        queryset = queryset.filter(term)
    return queryset


# --- date drill-down ------------------------------------------------------------------------------


def _first_date(queryset: QuerySet[Entry], *, on_or_after: dt.date, until: dt.date) -> dt.date | None:
    """The earliest entry date in [on_or_after, until]: one index seek (ORDER BY date LIMIT 1)."""
    return (
        queryset.filter(date__gte=on_or_after, date__lte=until).order_by("date").values_list("date", flat=True).first()
    )


def _periods(
    queryset: QuerySet[Entry],
    *,
    start: dt.date,
    end: dt.date,
    period_of: Callable[[dt.date], dt.date],
    next_period: Callable[[dt.date], dt.date],
) -> list[dt.date]:
    """Start of each period (year or month) between start and end that has entries.

    A loose index scan: seek the first date, jump to the next period, seek again. One
    query per period with entries (plus one), never a scan of the rows in between.
    """
    found: list[dt.date] = []
    cursor = start
    while cursor <= end:
        first = _first_date(queryset, on_or_after=cursor, until=end)
        if first is None:
            break
        period = period_of(first)
        found.append(period)
        cursor = next_period(period)
    return found


def _year_of(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def _month_of(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def _next_year(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


def _date_span(cl: ChangeList) -> tuple[dt.date | None, dt.date | None, list[int] | None]:
    """First and last date of the list, and its years when they were read on the way."""
    queryset = cl.queryset
    if cl.result_count <= TOTALS_MAX_ENTRIES:
        # A short list (a search, one employee): its distinct dates in one query beat many seeks,
        # each of which could walk far through the date index between rare matches.
        dates = list(queryset.order_by("date").values_list("date", flat=True).distinct())
        if not dates:
            return None, None, []
        return dates[0], dates[-1], sorted({d.year for d in dates})
    first = queryset.order_by("date").values_list("date", flat=True).first()
    last = queryset.order_by("-date").values_list("date", flat=True).first()
    return first, last, None


def date_hierarchy(cl: ChangeList) -> dict[str, Any]:
    """What Django's {% date_hierarchy %} tag shows (same levels, links and titles), found by index seeks.

    Django's tag asks for MIN and MAX together (a full scan on SQLite) and for the
    DISTINCT truncated dates of the whole list. Here: two seeks for the first and
    last date, then one seek per year or month that has entries; the days of one
    month come from DISTINCT dates within that month only.
    """
    field = cl.date_hierarchy
    year_field, month_field, day_field = f"{field}__year", f"{field}__month", f"{field}__day"
    year = cl.params.get(year_field)
    month = cl.params.get(month_field)
    day = cl.params.get(day_field)
    queryset = cl.queryset

    def link(filters: dict[str, Any]) -> str:
        return cl.get_query_string(filters, [f"{field}__"])

    first = last = years = None
    if not (year or month or day):
        # Like Django's tag: start at the month or year when the whole list falls within one.
        first, last, years = _date_span(cl)
        if first is not None and first.year == last.year:
            year = first.year
            if first.month == last.month:
                month = first.month

    if year and month and day:
        chosen = dt.date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    if year and month:
        first_day = dt.date(int(year), int(month), 1)
        last_day = first_day.replace(day=calendar.monthrange(first_day.year, first_day.month)[1])
        # One month: DISTINCT over its dates (an index range), not over a truncation of every row.
        days = (
            queryset.filter(date__gte=first_day, date__lte=last_day)
            .order_by("date")
            .values_list("date", flat=True)
            .distinct()
        )
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
            ],
        }
    if year:
        first_day = dt.date(int(year), 1, 1)
        months = _periods(
            queryset, start=first_day, end=dt.date(first_day.year, 12, 31), period_of=_month_of, next_period=_next_month
        )
        return {
            "show": True,
            "back": {"link": link({}), "title": gettext("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m.month}),
                    "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                }
                for m in months
            ],
        }
    # Every year of the list (also when a month or day is given without a year, as Django's tag does).
    if first is None and (month or day):
        first, last, years = _date_span(cl)
    if first is None:
        years = []
    elif years is None:
        years = [
            y.year
            for y in _periods(queryset, start=_year_of(first), end=last, period_of=_year_of, next_period=_next_year)
        ]
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: str(y)}), "title": str(y)} for y in years],
    }
