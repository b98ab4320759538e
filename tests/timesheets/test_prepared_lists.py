"""The prepared list queries (timesheets/api/prepared.py) answer exactly what the ORM's querysets answer.

For every combination of filters, both directions, with and without a cursor position, at
several offsets and page sizes; for a person, a machine client, and a client without an id.
Runs on SQLite and, with DATABASE_URL pointing at it, on PostgreSQL.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from authn.principals import MachineClient
from timesheets import selectors
from timesheets.api import prepared
from timesheets.api.serializers import entries_output, entry_rows
from timesheets.api.views import NewestFirst
from timesheets.models import Entry, EntrySource, EntryStatus

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2026, 11, d) for d in (2, 3, 3, 3, 5, 9, 9, 10, 16, 20)]
STATUSES = [EntryStatus.PENDING, EntryStatus.APPROVED, EntryStatus.REJECTED]


@pytest.fixture
def entries(alice, bob, carol, store_zero, dashboard):
    """Alice's entries over a few days (several on one day: the cursor's offset), bob's, and uploaded ones."""
    for i, day in enumerate(DAYS):
        status = STATUSES[i % 3]
        decided = status != EntryStatus.PENDING
        Entry.objects.create(
            owner=alice,
            date=day,
            project=store_zero if i % 2 else dashboard,
            hours=0.25 * (i + 1),
            notes=f"n{i}",
            status=status,
            decided_by=carol if decided else None,
            decided_at=dt.datetime(2026, 11, 27, 10, 0, i, 1000 * i, tzinfo=dt.UTC) if decided else None,
        )
        Entry.objects.create(owner=bob, date=day, project=store_zero, hours=1)
        Entry.objects.create(
            owner=bob, date=day, project=dashboard, hours=2, source=EntrySource.BATCH, client_id="svc" if i % 3 else ""
        )


def _filters(store_zero):
    values = {"date_from": DAYS[2], "date_to": DAYS[8], "project_id": store_zero.pk, "status": EntryStatus.APPROVED}
    for present in itertools.product([False, True], repeat=len(values)):
        yield {name: value for (name, value), on in zip(values.items(), present, strict=True) if on}


PAGINATIONS = [
    # (ordering, position lookup, position, start, stop)
    (("-date", "-id"), None, None, 0, 51),
    (("-date", "-id"), None, None, 0, 3),
    (("-date", "-id"), "date__lt", "2026-11-09", 0, 3),
    (("-date", "-id"), "date__lt", "2026-11-09", 2, 5),
    (("date", "id"), None, None, 0, 4),
    (("date", "id"), "date__gt", "2026-11-03", 0, 51),
    (("date", "id"), "date__gt", "2026-11-03", 1, 3),
]


def _orm(queryset, ordering, lookup, position, start, stop):
    queryset = queryset.order_by(*ordering)
    if lookup:
        queryset = queryset.filter(**{lookup: position})
    return list(queryset[start:stop])


def _prepared(rows, ordering, lookup, position, start, stop):
    rows = rows.order_by(*ordering)
    if lookup:
        rows = rows.filter(**{lookup: position})
    return rows[slice(start, stop)]


@pytest.mark.parametrize("pagination", PAGINATIONS)
@pytest.mark.parametrize("who", ["alice", "client", "client without id"])
def test_own_entries_are_the_orm_rows_for_every_filter(entries, alice, store_zero, who, pagination):
    actor = {"alice": alice, "client": MachineClient("svc"), "client without id": MachineClient("")}[who]
    seen = 0
    for filters in _filters(store_zero):
        expected = _orm(entry_rows(selectors.entry_list(actor=actor, **filters)), *pagination)
        got = _prepared(prepared.own_entries(actor=actor, **filters), *pagination)
        assert [row.id for row in got] == [row["id"] for row in expected], filters
        assert entries_output(got) == entries_output(expected), filters
        seen += len(got)
    if who == "client without id":
        assert seen == 0  # its uploads are not found by the empty client id of others' rows
    else:
        assert seen > 0


@pytest.mark.parametrize("pagination", PAGINATIONS)
@pytest.mark.parametrize("who", ["carol", "client"])
def test_approval_queue_is_the_orm_rows(entries, carol, who, pagination):
    actor = carol if who == "carol" else MachineClient("svc")
    expected = _orm(entry_rows(selectors.approval_queue(actor=actor)), *pagination)
    got = _prepared(prepared.approval_queue(actor=actor), *pagination)
    assert [row.id for row in got] == [row["id"] for row in expected]
    assert entries_output(got) == entries_output(expected)
    assert got


def _orm_page(path: str, queryset) -> dict:
    """What the API answered for `path` before the prepared queries: the paginator over the ORM's rows."""
    request = Request(APIRequestFactory().get(path))
    paginator = NewestFirst()
    page = paginator.paginate_queryset(entry_rows(queryset), request)
    return json.loads(JSONRenderer().render(paginator.get_paginated_response(entries_output(page)).data))


def test_every_page_forward_and_back_is_the_orm_paginators(as_user, alice, entries, store_zero):
    client = as_user(alice)
    queryset = selectors.entry_list(actor=alice, project=store_zero)
    path = f"http://testserver/api/timesheets?page_size=2&project={store_zero.pk}"
    ids, paths = [], []
    while path:
        page = client.get(path).json()
        assert page == _orm_page(path, queryset)
        paths.append(page["previous"])
        ids += [entry["id"] for entry in page["results"]]
        path = page["next"]
    assert ids == list(queryset.values_list("id", flat=True)) and len(paths) == 3
    for previous in filter(None, paths):
        assert client.get(previous).json() == _orm_page(previous, queryset)


def test_a_cursor_with_a_position_that_is_no_date_is_refused_not_a_500(as_user, alice, entries):
    cursor = base64.b64encode(b"p=not-a-date").decode()
    response = as_user(alice).get(f"/api/timesheets?cursor={cursor}")
    assert 400 <= response.status_code < 500
    assert "error" in json.loads(response.content)


def test_the_cache_of_prepared_queries_is_bounded(as_user, alice, entries):
    for size in range(1, 40):
        assert as_user(alice).get(f"/api/timesheets?page_size={size}").status_code == 200
    info = prepared.prepare.cache_info()
    assert info.maxsize == 256 and info.currsize <= 256
