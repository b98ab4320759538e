"""List endpoints cost the same number of SQL queries for 2 rows as for 200: one, once the caller is cached."""

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


def _queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)  # the rows are read while the body streams
    return [q["sql"] for q in captured.captured_queries]


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
    first = _queries(caller, path)
    few = _queries(caller, path)
    _fill(owner, store_zero, 198)
    many = _queries(caller, path)
    # The first request reads the caller's row; later ones within seconds find it cached.
    assert len(first) == 2
    assert 'FROM "authn_user"' in first[0]
    assert len(few) == len(many) == 1  # the page itself, owner and project joined
    assert "authn_user" in many[0] and "timesheets_project" in many[0]
