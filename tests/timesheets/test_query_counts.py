"""List endpoints cost the same number of SQL queries for 2 rows as for 200."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from timesheets.models import Entry

pytestmark = pytest.mark.django_db


def _fill(owner, project, n: int) -> None:
    Entry.objects.bulk_create(
        [
            Entry(
                owner=owner,
                date=f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                project=project,
                hours=0.25,
                uuid=uuid.uuid4(),
            )
            for i in range(n)
        ]
    )


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("path", "owner_name"),
    [
        ("/api/timesheets?page_size=200", "alice"),
        ("/timesheets", "alice"),
        ("/api/approvals?page_size=200", "bob"),
        ("/approvals", "bob"),
    ],
)
def test_list_queries_do_not_grow_with_rows(as_user, alice, bob, carol, store_zero, path, owner_name):
    owner = {"alice": alice, "bob": bob}[owner_name]
    caller = as_user(alice if owner_name == "alice" else carol)
    _fill(owner, store_zero, 2)
    few = _queries(caller, path)
    _fill(owner, store_zero, 198)
    many = _queries(caller, path)
    assert few == many
    assert many <= 4  # the caller's user row, the page, and at most a couple more
