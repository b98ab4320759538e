"""The lists' paginators (timesheets/api/pagination.py) answer what DRF's own CursorPagination answers.

Every page forward and back, for both orderings and several page sizes, on the ORM's rows and on the
prepared rows: the same results, the same `next` and `previous` links, character for character (ours
written as JSON text, timesheets/api/entry_json.py; DRF's from entries_output by its JSONRenderer).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.renderers import JSONRenderer as ProductJSONRenderer
from timesheets import selectors
from timesheets.api import prepared
from timesheets.api.pagination import NewestFirst, OldestFirst
from timesheets.api.serializers import entries_output, entry_rows
from timesheets.models import Entry

pytestmark = pytest.mark.django_db


class StockNewestFirst(CursorPagination):
    ordering = ("-date", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StockOldestFirst(StockNewestFirst):
    ordering = ("date", "id")


@pytest.fixture
def entries(alice, store_zero):
    # Several entries on some days: cursors then carry an offset as well as a position.
    for i, day in enumerate([2, 3, 3, 3, 5, 9, 9, 10, 16, 20, 20, 23]):
        Entry.objects.create(owner=alice, date=dt.date(2026, 11, day), project=store_zero, hours=0.25 * (i + 1))


def _page(paginator_class, rows_of, url: str) -> bytes:
    """The page as the product answers it (ours: JSON text, config.renderers) or as DRF does (stock)."""
    request = Request(APIRequestFactory().get(url))
    paginator = paginator_class()
    page = paginator.paginate_queryset(rows_of(), request)
    if isinstance(paginator, NewestFirst):
        return ProductJSONRenderer().render(paginator.entries_response().data)
    return JSONRenderer().render(paginator.get_paginated_response(entries_output(page)).data)


def _walk(paginator_class, stock_class, rows_of, first: str) -> int:
    """Follows every `next` and `previous` link from `first`; each page byte-identical to the stock paginator's."""
    pages, seen, todo = 0, set(), [first]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        ours, stock = _page(paginator_class, rows_of, url), _page(stock_class, rows_of, url)
        assert ours == stock, url
        body = json.loads(ours)
        todo += [link for link in (body["next"], body["previous"]) if link]
        pages += 1
    return pages


@pytest.mark.parametrize("size", [1, 2, 3, 5, 50, None])
@pytest.mark.parametrize("rows", ["orm", "prepared"])
@pytest.mark.parametrize(("ours", "stock"), [(NewestFirst, StockNewestFirst), (OldestFirst, StockOldestFirst)])
def test_every_page_and_link_is_drfs(entries, alice, size, rows, ours, stock):
    def rows_of():
        if rows == "orm":
            return entry_rows(selectors.entry_list(actor=alice))
        return prepared.own_entries(actor=alice)

    query = "status=pending" if size is None else f"page_size={size}&status=pending"
    pages = _walk(ours, stock, rows_of, f"http://testserver/api/timesheets?{query}")
    assert pages >= -(-12 // (size or 50))  # every page forward, and the pages the `previous` links name


def test_a_page_without_links_never_builds_the_url(entries, alice):
    request = Request(APIRequestFactory().get("/api/timesheets"))
    paginator = NewestFirst()
    paginator.paginate_queryset(prepared.own_entries(actor=alice), request)
    body = paginator.get_paginated_response([]).data
    assert body["next"] is None and body["previous"] is None
    assert paginator._base_url is None
