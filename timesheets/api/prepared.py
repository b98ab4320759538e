"""The API lists' queries, prepared (timesheets/prepared.py) and paginated by DRF's CursorPagination.

PreparedRows is what the paginator is handed as its "queryset": it calls order_by(), filter()
with the cursor's position and slices it, as it does a QuerySet; the slice runs the prepared SQL
of that shape and gives the rows as EntryRecords (named tuples) of the driver's values, which
timesheets.api.entry_json (and serializers.entry_output) take as well as the ORM's dicts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from authn.models import User
from authn.principals import MachineClient, Principal
from timesheets import selectors
from timesheets.api.serializers import EntryRecord, entry_rows
from timesheets.models import Entry
from timesheets.prepared import Builder, Sentinels, prepare


def _paged(sentinels: Sentinels, shape: tuple) -> QuerySet:
    """The list `builder` builds for `base`, ordered, after the cursor's position and sliced as the paginator does."""
    builder, base, ordering, position_lookup, start, stop = shape
    queryset = builder(sentinels, base).order_by(*ordering)
    if position_lookup is not None:
        field = Entry._meta.get_field(position_lookup.partition("__")[0])
        if field.get_internal_type() != "DateField":
            raise TypeError(f"a cursor position on {field.name} is not supported")
        queryset = queryset.filter(**{position_lookup: sentinels.date("position")})
    return queryset[start:stop]


class PreparedRows:
    """The rows of a prepared list query, driven like a QuerySet by DRF's CursorPagination.

    `values` are the request's values by sentinel name; the paginator adds its ordering, position and slice.
    """

    model = Entry

    def __init__(self, builder: Builder, shape: tuple, values: dict[str, Any], *, alias: str = "default") -> None:
        self.builder = builder
        self.shape = shape
        self.values = values
        self.alias = alias
        self.ordering: tuple[str, ...] = ()
        self.position_lookup: str | None = None

    def order_by(self, *ordering: str) -> PreparedRows:
        self.ordering = ordering
        return self

    def filter(self, **lookup: Any) -> PreparedRows:
        """Only the paginator's position filter: `<field>__lt` or `<field>__gt` with the cursor's text."""
        ((name, position),) = lookup.items()
        field_name, _, op = name.partition("__")
        if op not in ("lt", "gt"):
            raise TypeError(f"PreparedRows takes a cursor position only, not {name}")
        # As the ORM takes a lookup's value: to_python (a bad one raises ValidationError); bound when run.
        self.values["position"] = self.model._meta.get_field(field_name).to_python(position)
        self.position_lookup = name
        return self

    def __getitem__(self, page: slice) -> list[EntryRecord]:
        shape = (self.builder, self.shape, self.ordering, self.position_lookup, page.start or 0, page.stop)
        prepared = prepare(_paged, self.alias, shape)
        if prepared is None:
            return []
        if prepared.columns != EntryRecord._fields:
            raise AssertionError(f"the prepared list's columns are not entry_rows': {prepared.columns}")
        # The driver's tuples as they are, named (the paginator reads the last one's `date`).
        return [tuple.__new__(EntryRecord, row) for row in prepared.rows(self.values, alias=self.alias)]


# --- the lists ---------------------------------------------------------------------------------


def _kind(actor: Principal) -> str:
    """What of the caller shapes a list query: a person, a client with an id, or a client without one."""
    if actor.is_person:
        return "person"
    return "client" if actor.client_id else "nobody"


def _actor(sentinels: Sentinels, kind: str) -> Principal:
    """A stand-in caller of that kind."""
    if kind == "person":
        return User(pk=sentinels.int("owner"))
    return MachineClient(sentinels.text("client") if kind == "client" else "")


def _own_entries(sentinels: Sentinels, shape: tuple) -> QuerySet:
    kind, has_from, has_to, has_project, status = shape
    actor = _actor(sentinels, kind)
    return entry_rows(
        selectors.entry_list(
            actor=actor,
            date_from=sentinels.date("from") if has_from else None,
            date_to=sentinels.date("to") if has_to else None,
            project_id=sentinels.int("project") if has_project else None,
            status=sentinels.text("status") if status else None,
        )
    )


def own_entries(
    *,
    actor: Principal,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    project_id: int | None = None,
    status: str | None = None,
) -> PreparedRows:
    """selectors.entry_list's rows (entry_rows' columns), prepared."""
    shape = (_kind(actor), date_from is not None, date_to is not None, project_id is not None, status is not None)
    values = {
        "owner": actor.pk,
        "client": getattr(actor, "client_id", None),
        "from": date_from,
        "to": date_to,
        "project": project_id,
        "status": status,
    }
    return PreparedRows(_own_entries, shape, values)


def _approval_queue(sentinels: Sentinels, shape: tuple) -> QuerySet:
    (kind,) = shape
    actor = _actor(sentinels, kind)
    return entry_rows(selectors.approval_queue(actor=actor))


def approval_queue(*, actor: Principal) -> PreparedRows:
    """selectors.approval_queue's rows (entry_rows' columns), prepared."""
    # A client's id does not enter the approvals query: only a person is left out of their own queue.
    kind = "person" if actor.is_person else "nobody"
    return PreparedRows(_approval_queue, (kind,), {"owner": actor.pk})
