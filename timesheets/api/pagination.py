"""The API lists' cursor pagination: DRF's CursorPagination, with less work per request and the same output."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import CursorPagination, _reverse_ordering
from rest_framework.request import Request
from rest_framework.response import Response

from timesheets.api.entry_json import entries_json, page_json


class NewestFirst(CursorPagination):
    ordering = ("-date", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    _base_url: str | None = None

    @property
    def base_url(self) -> str:
        """The page's absolute URL, which only the `next` and `previous` links are built from.

        Built when a link is, not for every page: the first page of a list that fits in it has no link,
        and building the URL (host validation, quoting, parsing) is a fair share of a short list's work.
        The host was validated by CommonMiddleware before the view ran, so nothing is skipped.
        """
        if self._base_url is None:
            self._base_url = self.request.build_absolute_uri()
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        self._base_url = value

    def get_page_size(self, request: Request) -> int | None:
        # DRF's looks the parameter up and catches the KeyError: an exception raised on every page without one.
        if self.page_size_query_param not in request.query_params:
            return self.page_size
        return super().get_page_size(request)

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        # The lists have no ordering filter (DRF's asks the view's filter backends for one per request).
        return self.ordering

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list | None:
        """DRF 3.18's CursorPagination.paginate_queryset, except that base_url is not built here."""
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None

        self._base_url = None
        self.ordering = self.get_ordering(request, queryset, view)

        self.cursor = self.decode_cursor(request)
        if self.cursor is None:
            (offset, reverse, current_position) = (0, False, None)
        else:
            (offset, reverse, current_position) = self.cursor

        if reverse:
            queryset = queryset.order_by(*_reverse_ordering(self.ordering))
        else:
            queryset = queryset.order_by(*self.ordering)

        if current_position is not None:
            order = self.ordering[0]
            is_reversed = order.startswith("-")
            order_attr = order.lstrip("-")
            if self.cursor.reverse != is_reversed:
                kwargs = {order_attr + "__lt": current_position}
            else:
                kwargs = {order_attr + "__gt": current_position}
            queryset = queryset.filter(**kwargs)

        # One row more than the page: whether a page follows.
        results = list(queryset[offset : offset + self.page_size + 1])
        self.page = list(results[: self.page_size])

        if len(results) > len(self.page):
            has_following_position = True
            following_position = self._get_position_from_instance(results[-1], self.ordering)
        else:
            has_following_position = False
            following_position = None

        if reverse:
            self.page = list(reversed(self.page))
            self.has_next = (current_position is not None) or (offset > 0)
            self.has_previous = has_following_position
            if self.has_next:
                self.next_position = current_position
            if self.has_previous:
                self.previous_position = following_position
        else:
            self.has_next = has_following_position
            self.has_previous = (current_position is not None) or (offset > 0)
            if self.has_next:
                self.next_position = following_position
            if self.has_previous:
                self.previous_position = current_position

        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True

        return self.page

    def entries_response(self) -> Response:
        """The page of entries as get_paginated_response(entries_output(page)) answers it, written as JSON text."""
        return Response(
            page_json(
                next_link=self.get_next_link(), previous_link=self.get_previous_link(), results=entries_json(self.page)
            )
        )


class OldestFirst(NewestFirst):
    ordering = ("date", "id")
