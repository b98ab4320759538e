"""Reads. Each takes the acting principal, so ownership is filtered here and only here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, QuerySet

from authn.principals import Principal
from timesheets.models import Entry, EntrySource, EntryStatus, Project, Timer, Week, WeekState, monday_of
from timesheets.prepared import Sentinels, prepare


def entry_list(
    *,
    actor: Principal,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    project: Project | None = None,
    project_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Entry]:
    """The actor's own entries; for a machine client, the entries it uploaded (`project` or its id filters)."""
    if actor.is_person:
        qs = Entry.objects.filter(owner_id=actor.pk)
    elif actor.client_id:
        qs = Entry.objects.filter(client_id=actor.client_id, source=EntrySource.BATCH)
    else:
        return Entry.objects.none()
    qs = qs.select_related("project", "owner", "decided_by")
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if project is not None:
        project_id = project.pk
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-date", "-id")


def entry_get(*, actor: Principal, entry_id: int) -> Entry | None:
    """One of the actor's entries (see entry_list), or None: another's entry looks like a missing one."""
    return entry_list(actor=actor).filter(pk=entry_id).first()


def approval_queue(*, actor: Principal) -> QuerySet[Entry]:
    """Pending entries the actor may decide: everyone's but their own, oldest first."""
    qs = Entry.objects.filter(status=EntryStatus.PENDING).select_related("project", "owner", "decided_by")
    if actor.is_person:
        qs = qs.exclude(owner_id=actor.pk)
    return qs.order_by("date", "id")


def approvable_entry_get(*, actor: Principal, entry_id: int) -> Entry | None:
    """Any entry, for an approver (the caller has checked the approve scope or permission).

    The approver's own entries are returned too, so that the service can refuse
    a self-approval with a reason instead of pretending the entry is missing.
    """
    return Entry.objects.select_related("project", "owner", "decided_by").filter(pk=entry_id).first()


def timer_get(*, actor: Principal) -> Timer | None:
    """The actor's running timer, or None (always for a machine client)."""
    if not actor.is_person:
        return None
    return Timer.objects.select_related("project").filter(owner=actor).first()


def project_list_active() -> QuerySet[Project]:
    return Project.objects.filter(active=True).order_by("name")


def project_list_with_last_use(*, actor: Principal) -> list[Project]:
    """Active projects by name, each with `last_used`: the latest day the actor logged time on it, or None.

    Two queries whatever the number of projects: the projects, and one aggregate over the actor's own
    entries (the (owner, date) index). Always None for a machine client.
    """
    projects = list(project_list_active())
    last_used: dict[int, dt.date] = {}
    if actor.is_person:
        rows = Entry.objects.filter(owner=actor).values("project_id").annotate(last=Max("date")).order_by()
        last_used = {row["project_id"]: row["last"] for row in rows}
    for project in projects:
        project.last_used = last_used.get(project.pk)
    return projects


def project_find(*, ref: int | str, active_only: bool = True) -> Project | None:
    """A project by id, or by name compared case-insensitively (names are unique regardless of case).

    Prepared (timesheets/prepared.py): every new entry names its project, and building the ORM
    query took Django about 0.35 ms, a seventh of a POST /api/timesheets. The row becomes the
    Project with from_db (id, name and active read; any other field loads when it is read).
    """
    if isinstance(ref, int) and not isinstance(ref, bool):
        if not 1 <= ref <= _MAX_ID:  # names no project (and the driver would refuse it as a parameter)
            return None
        by, value = "id", ref
    elif isinstance(ref, str) and ref.strip():
        by, value = "name", ref.strip()
    else:
        return None
    prepared = prepare(_project_query, "default", (by, active_only))
    rows = prepared.rows({by: value}) if prepared is not None else []
    if not rows:
        return None
    pk, name, active = rows[0]
    return Project.from_db("default", _PROJECT_COLUMNS, (pk, name, bool(active)))  # SQLite gives 0 or 1


_PROJECT_COLUMNS = ("id", "name", "active")
_MAX_ID = 2**63 - 1  # the id column's range (BigAutoField) on both databases


def _project_query(sentinels: Sentinels, shape: tuple) -> QuerySet:
    """project_find's query for `shape` (by "id" or "name", active_only): what `.first()` of the filter runs."""
    by, active_only = shape
    projects = project_list_active() if active_only else Project.objects.order_by("pk")
    if by == "id":
        projects = projects.filter(pk=sentinels.int("id"))
    else:
        projects = projects.filter(name__iexact=sentinels.iexact_text("name"))
    return projects.values_list(*_PROJECT_COLUMNS)[:1]


# --- weeks ----------------------------------------------------------------------------------------

# How many weeks one GET /api/weeks (or the approvals queue) answers with at most.
MAX_WEEKS_PER_LIST = 60


@dataclass
class WeekView:
    """One person's ISO week as the API and the phone app show it: its state and totals.

    `week` is the stored row (None while the week was never submitted: open).
    """

    owner: Any
    monday: dt.date
    week: Week | None
    entries: list[Entry] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.week.state if self.week is not None else WeekState.OPEN

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def total_hours(self) -> Decimal:
        return sum((entry.hours for entry in self.entries), Decimal(0))

    @property
    def days(self) -> list[dict[str, Any]]:
        hours = {self.monday + dt.timedelta(days=i): Decimal(0) for i in range(7)}
        for entry in self.entries:
            hours[entry.date] += entry.hours
        return [{"date": day, "hours": total} for day, total in hours.items()]

    @property
    def days_without_time(self) -> list[dt.date]:
        """Working days (Monday to Friday) with no time logged."""
        return [day["date"] for day in self.days[:5] if day["hours"] == 0]

    @property
    def projects(self) -> list[dict[str, Any]]:
        totals: dict[int, dict[str, Any]] = {}
        for entry in self.entries:
            row = totals.setdefault(entry.project_id, {"id": entry.project_id, "name": entry.project.name, "hours": 0})
            row["hours"] += entry.hours
        return sorted(totals.values(), key=lambda row: row["name"].lower())

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(EntryStatus.values, 0)
        for entry in self.entries:
            counts[entry.status] += 1
        return counts


def _week_views(keys: list[tuple[Any, dt.date]], weeks: dict[tuple[int, dt.date], Week]) -> list[WeekView]:
    """WeekViews for (owner, monday) pairs, their entries read in one query."""
    views = [WeekView(owner=owner, monday=monday, week=weeks.get((owner.pk, monday))) for owner, monday in keys]
    if not views:
        return views
    by_key = {(view.owner.pk, view.monday): view for view in views}
    # One range per week (each reads the (owner, date) index), never the span between far-apart weeks.
    ranges = Q()
    for view in views:
        ranges |= Q(owner_id=view.owner.pk, date__gte=view.monday, date__lte=view.sunday)
    entries = Entry.objects.filter(ranges).select_related("project", "owner", "decided_by").order_by("date", "id")
    for entry in entries:
        view = by_key.get((entry.owner_id, monday_of(entry.date)))
        if view is not None:
            view.entries.append(entry)
    return views


def week_list(*, actor: Principal, date_from: dt.date, date_to: dt.date) -> list[WeekView]:
    """The actor's weeks that touch [date_from, date_to], newest first; none for a machine client."""
    if not actor.is_person:
        return []
    mondays = []
    monday = monday_of(date_to)
    while monday >= monday_of(date_from) and len(mondays) < MAX_WEEKS_PER_LIST:
        mondays.append(monday)
        monday -= dt.timedelta(weeks=1)
    stored = Week.objects.filter(owner=actor, monday__in=mondays).select_related("decided_by")
    weeks = {(w.owner_id, w.monday): w for w in stored}
    return _week_views([(actor, m) for m in mondays], weeks)


def week_get(*, actor: Principal, monday: dt.date) -> WeekView | None:
    """One of the actor's weeks (open when never submitted), or None for a machine client."""
    views = week_list(actor=actor, date_from=monday, date_to=monday)
    return views[0] if views else None


def week_approval_queue(*, actor: Principal) -> QuerySet[Week]:
    """Submitted weeks the actor may decide: everyone's but their own, oldest first."""
    qs = Week.objects.filter(state=WeekState.SUBMITTED).select_related("owner", "decided_by")
    if actor.is_person:
        qs = qs.exclude(owner=actor)
    return qs.order_by("monday", "id")


def week_views_of(weeks: list[Week]) -> list[WeekView]:
    """Stored weeks with their entries and totals (one query for all the entries)."""
    return _week_views([(w.owner, w.monday) for w in weeks], {(w.owner_id, w.monday): w for w in weeks})


def approvable_week_get(*, actor: Principal, week_id: int) -> Week | None:
    """Any stored week, for an approver; their own too, so the service refuses it with a reason."""
    return Week.objects.select_related("owner", "decided_by").filter(pk=week_id).first()
