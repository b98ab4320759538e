"""GET /api/projects: each project's `last_used`, the caller's latest day on it, in one aggregate query (§5)."""

from __future__ import annotations

import datetime as dt

import pytest

from timesheets.models import Entry, Project

pytestmark = pytest.mark.django_db


def test_last_used_is_the_callers_latest_day_per_project(as_user, alice, bob, store_zero, dashboard):
    Project.objects.create(name="Zeta")
    Entry.objects.create(owner=alice, date="2026-11-20", project=store_zero, hours=1)
    Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=1)
    Entry.objects.create(owner=alice, date="2026-10-01", project=dashboard, hours=1)
    Entry.objects.create(owner=bob, date="2026-12-01", project=store_zero, hours=1)  # bob's: not alice's
    body = as_user(alice).get("/api/projects").json()
    assert [(p["name"], p["last_used"]) for p in body] == [
        ("Auth0 Dashboard", "2026-10-01"),
        ("StoreZero", "2026-11-23"),
        ("Zeta", None),
    ]
    assert [p["last_used"] for p in as_user(bob).get("/api/projects").json()] == [None, "2026-12-01", None]


def test_a_machine_token_sees_no_last_use(as_machine, alice, store_zero):
    Entry.objects.create(owner=alice, date="2026-11-20", project=store_zero, hours=1)
    body = as_machine(scopes=["read:timesheets"]).get("/api/projects").json()
    assert body == [{"id": store_zero.pk, "name": "StoreZero", "last_used": None}]


def test_the_query_count_does_not_grow_with_projects(as_user, alice, django_assert_max_num_queries):
    client = as_user(alice)
    client.get("/api/projects")  # warm the per-process token and user caches

    def make(count: int) -> None:
        for n in range(count):
            project = Project.objects.create(name=f"P{Project.objects.count()}-{n}")
            Entry.objects.create(
                owner=alice, date=dt.date(2026, 11, 1) + dt.timedelta(days=n), project=project, hours=1
            )

    make(2)
    with django_assert_max_num_queries(50) as few:
        client.get("/api/projects")
    make(40)
    with django_assert_max_num_queries(50) as many:
        assert len(client.get("/api/projects").json()) == 42
    assert len(many.captured_queries) == len(few.captured_queries)
