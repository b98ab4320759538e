"""Queries built by the ORM once per shape, then run on the raw cursor with each request's values.

Building and compiling a query costs Django far more than SQLite or PostgreSQL take to run a
small one (the API list's 30-odd-column query: over a millisecond to build, 0.15 ms to run). A
hot query depends on the request only through a few values (the caller, a filter, a date) and
on its shape (which filters are present, a direction, a page size). So a shape's query is built
once, by the ordinary ORM code (the selector or service's own filters), with a stand-in
("sentinel") for each value; the compiled SQL is kept with, for each of its parameters, the name
of the value that goes there (or the constant it is). A request then only binds its values as
the ORM binds them (the model field's get_db_prep_value) and runs the SQL.

The SQL is the ORM's, so it is the same on SQLite and PostgreSQL as the queryset's would be; rows
come as the database driver gives them (no per-value converters: callers take the driver's
types, see timesheets.api.entry_json and serializers.entry_output). Tests hold each prepared query's rows equal
to its queryset's (tests/timesheets/test_prepared_lists.py, test_prepared_checks.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import uuid as uuid_lib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import QuerySet

_DATE = models.DateField()
_UUID = models.UUIDField()


def _same(value: Any, connection: Any) -> Any:
    return value


def _iexact(value: str, connection: Any) -> str:
    return connection.ops.prep_for_iexact_query(value)


class Sentinels:
    """Hands out one stand-in per named value, and remembers how the ORM binds a value of its kind."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.binders: dict[str, Callable[[Any, Any], Any]] = {}

    def int(self, name: str) -> int:
        return self._add(name, -7_770_001 - len(self.values), _same)

    def text(self, name: str) -> str:
        return self._add(name, f"\x00sentinel:{name}\x00", _same)

    def date(self, name: str) -> dt.date:
        return self._add(name, dt.date(1, 1, 1) + dt.timedelta(days=len(self.values)), _DATE.get_db_prep_value)

    def iexact_text(self, name: str) -> str:
        """A text for an `__iexact` lookup: bound as that lookup binds it (SQLite's LIKE escapes % _ and \\)."""
        return self._add(name, f"\x00sentinel:{name}\x00", _iexact)

    def uuid(self, name: str) -> uuid_lib.UUID:
        return self._add(name, uuid_lib.UUID(int=len(self.values) + 1), _UUID.get_db_prep_value)

    def _add(self, name: str, value: Any, binder: Callable[[Any, Any], Any]) -> Any:
        self.values[name] = value
        self.binders[name] = binder
        return value


# build(sentinels, shape) -> the shape's queryset (values() or values_list()), each value a sentinel.
Builder = Callable[[Sentinels, tuple], QuerySet]


# A "format" placeholder as Django's SQLite backend finds them (a literal % is written %%).
_PLACEHOLDER = re.compile(r"(?<!%)%s")


def named_placeholders(sql: str) -> str:
    """`sql` with its %s placeholders named %(p0)s, %(p1)s, ... in order ("pyformat", which both drivers take).

    SQLite's backend rewrites a "format" query (%s) for its driver with a regular expression on every
    execution, 20 us for the list's query; a "pyformat" one with a plain `%` of the names.
    """
    counter = itertools.count()
    return _PLACEHOLDER.sub(lambda _: f"%(p{next(counter)})s", sql)


class Prepared:
    """One shape's SQL: its text, its columns, and per parameter the value's name and binder, or a constant."""

    def __init__(self, sql: str, slots: list[tuple[str | None, Any]], columns: tuple[str, ...], binders: dict) -> None:
        self.sql = named_placeholders(sql)
        if len(_PLACEHOLDER.findall(sql)) != len(slots):
            raise AssertionError("the compiled query's placeholders are not its parameters")
        self.slots = [(f"p{i}", name, constant) for i, (name, constant) in enumerate(slots)]
        self.columns = columns
        self.binders = binders

    def params(self, values: dict[str, Any], connection: Any) -> dict[str, Any]:
        bound = {name: binder(values[name], connection) for name, binder in self.binders.items()}
        return {key: bound[name] if name is not None else constant for key, name, constant in self.slots}

    def rows(self, values: dict[str, Any], *, alias: str = "default") -> list[tuple]:
        connection = connections[alias]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.cursor.adapters.register_loader("timestamptz", _c_timestamptz_loader())
            cursor.execute(self.sql, self.params(values, connection))
            return cursor.fetchall()


@functools.cache
def _c_timestamptz_loader() -> type:
    """psycopg's own timestamptz loader (C, from psycopg[binary]), for the prepared queries' cursors.

    Django registers on each connection a Python subclass of it that only sets the zone, and that
    makes psycopg parse every timestamp in Python (three per row of an entry list). The driver's own
    loader gives the same instant in the session's zone (UTC, as Django sets it); the rows' readers
    write datetimes in the current zone from any aware value (serializers.iso_datetime).
    """
    import psycopg
    from psycopg.postgres import types
    from psycopg.pq import Format

    return psycopg.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)


@functools.lru_cache(maxsize=256)
def prepare(builder: Builder, alias: str, shape: tuple) -> Prepared | None:
    """The SQL of `builder`'s query for `shape` (None when the query is empty by construction).

    Bounded: a query has few shapes (which filters are present, the direction, offset and page size).
    """
    sentinels = Sentinels()
    queryset = builder(sentinels, shape)
    query = queryset.query
    columns = (*query.extra_select, *query.values_select, *query.annotation_select)
    try:
        sql, params = query.get_compiler(using=alias).as_sql()
    except EmptyResultSet:
        return None
    connection = connections[alias]
    # Each stand-in as the ORM bound it (a date is text on SQLite, a date on PostgreSQL).
    names = {}
    for name, sentinel in sentinels.values.items():
        bound = sentinels.binders[name](sentinel, connection)
        names[(type(bound), bound)] = name
    slots = [(names.get((type(param), param)), param) for param in params]
    missing = set(sentinels.values) - {name for name, _ in slots}
    if missing:
        raise AssertionError(f"values {sorted(missing)} are not parameters of the compiled query")
    return Prepared(sql, slots, columns, sentinels.binders)
