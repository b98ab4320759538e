"""The API lists' SQL, built by the ORM once per query shape and then run on the raw cursor.

Building and compiling the 30-odd-column list query cost Django more than a millisecond per
request, several times what the database takes to run it. The query of a list depends on the
request only through a few values (the caller, the filters, the cursor's position) and on its
shape (which filters are present, the direction, the page's offset and size). So a shape's
query is built once, by the same selector and columns as always, with a stand-in ("sentinel")
for each value; the compiled SQL is kept with, for each parameter, which value goes there (or
the constant it is). A request then only fills in its values, binds them exactly as the ORM
binds them (the model field's get_db_prep_value), and runs the SQL on the raw cursor.

PreparedRows is what DRF's CursorPagination is handed as its "queryset": the paginator calls
order_by(), filter() with the cursor's position and slices it, as it does a QuerySet; the
slice runs the prepared SQL and gives the rows as dicts of the driver's own values (see
timesheets.api.serializers.entry_output, which takes those as well as the ORM's).

Tests (tests/timesheets/test_prepared_lists.py) hold its rows equal to the ORM's for every
filter combination, direction and cursor.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from authn.models import User
from authn.principals import MachineClient, Principal
from timesheets import selectors
from timesheets.api.serializers import entry_rows
from timesheets.models import Entry

# Stand-ins for a request's values while a shape's SQL is compiled: no real value equals one.
SENTINEL_INT = -7_770_001
SENTINEL_TEXT = "\x00sentinel:{}\x00"
SENTINEL_DAYS = dt.date(1, 1, 1)  # the n-th date sentinel is this + n days


class Sentinels:
    """Hands out one stand-in per named value and remembers which is which."""

    def __init__(self) -> None:
        self.by_name: dict[str, Any] = {}

    def int(self, name: str) -> int:
        return self._add(name, SENTINEL_INT - len(self.by_name))

    def text(self, name: str) -> str:
        return self._add(name, SENTINEL_TEXT.format(name))

    def date(self, name: str) -> dt.date:
        return self._add(name, SENTINEL_DAYS + dt.timedelta(days=len(self.by_name)))

    def _add(self, name: str, value: Any) -> Any:
        self.by_name[name] = value
        return value


# build(sentinels, shape) → the list's queryset (values() of its columns) for `shape`, each value a sentinel.
Builder = Callable[[Sentinels, tuple], QuerySet]


class Prepared:
    """One shape's SQL: its text, and per parameter the name of the value that goes there or a constant."""

    def __init__(self, sql: str, slots: list[tuple[str | None, Any]], columns: tuple[str, ...]) -> None:
        self.sql = sql
        self.slots = slots
        self.columns = columns

    def params(self, values: dict[str, Any]) -> list[Any]:
        return [values[name] if name is not None else constant for name, constant in self.slots]


@functools.lru_cache(maxsize=256)
def prepare(
    builder: Builder,
    alias: str,
    shape: tuple,
    ordering: tuple[str, ...],
    position_lookup: str | None,
    start: int,
    stop: int | None,
) -> Prepared | None:
    """The SQL of `shape` paginated as CursorPagination does it (None when it is empty by construction).

    Bounded: shapes differ by which filters are present, the direction, the offset and the page size.
    """
    sentinels = Sentinels()
    queryset = builder(sentinels, shape).order_by(*ordering)
    if position_lookup is not None:
        field = Entry._meta.get_field(position_lookup.partition("__")[0])
        if field.get_internal_type() != "DateField":
            raise TypeError(f"a cursor position on {field.name} is not supported")
        queryset = queryset.filter(**{position_lookup: sentinels.date("position")})
    queryset = queryset[start:stop]
    columns = tuple(queryset.query.values_select)
    try:
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
    except EmptyResultSet:
        return None
    connection = connections[alias]
    # Each stand-in as the ORM bound it: dates become text on SQLite and stay dates on PostgreSQL.
    bound = {}
    for name, sentinel in sentinels.by_name.items():
        if isinstance(sentinel, dt.date):
            sentinel = connection.ops.adapt_datefield_value(sentinel)
        bound[(type(sentinel), sentinel)] = name
    slots = [(bound.get((type(param), param)), param) for param in params]
    missing = set(sentinels.by_name) - {name for name, _ in slots}
    if missing:
        raise AssertionError(f"values {sorted(missing)} are not parameters of the compiled query")
    return Prepared(sql, slots, columns)


class PreparedRows:
    """The rows of a prepared list query, driven like a QuerySet by DRF's CursorPagination.

    `values` are the request's values by sentinel name, bound as the ORM binds them (bind_date
    for dates); the paginator adds its ordering, position and slice.
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
        field = self.model._meta.get_field(field_name)
        # What the ORM does with a lookup's value: to_python (a bad one raises ValidationError), then adapt.
        self.values["position"] = field.get_db_prep_value(position, connections[self.alias])
        self.position_lookup = name
        return self

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        prepared = prepare(
            self.builder, self.alias, self.shape, self.ordering, self.position_lookup, page.start or 0, page.stop
        )
        if prepared is None:
            return []
        with connections[self.alias].cursor() as cursor:
            cursor.execute(prepared.sql, prepared.params(self.values))
            rows = cursor.fetchall()
        columns = prepared.columns
        return [dict(zip(columns, row, strict=True)) for row in rows]


def bind_date(value: dt.date | None, alias: str = "default") -> Any:
    """A date as the ORM binds it in a query on `alias`."""
    return connections[alias].ops.adapt_datefield_value(value)


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
        "from": bind_date(date_from),
        "to": bind_date(date_to),
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
