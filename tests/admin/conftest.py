from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from authn.models import User
from timesheets import services
from timesheets.models import Entry, Project

MONDAY = dt.date(2025, 3, 3)  # ISO week 10 of 2025


@pytest.fixture
def managers_group(db):
    return services.managers_group_ensure()


@pytest.fixture
def manager(carol: User, managers_group) -> User:
    """Carol: staff (not superuser), member of the Managers group, password login."""
    carol.is_staff = True
    carol.set_password("carol-pass-123")
    carol.save()
    carol.groups.add(managers_group)
    return carol


@pytest.fixture
def manager_client(manager: User) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def log(owner: User, project: Project, day: dt.date, hours: str, notes: str = "") -> Entry:
    entry, _ = services.entry_create(owner=owner, date=day, project=project, hours=Decimal(hours), notes=notes)
    return entry


@pytest.fixture
def week_entries(alice: User, bob: User, manager: User, store_zero: Project, dashboard: Project) -> dict[str, Entry]:
    """A week of time: alice 8 + 7.5 + 4 (this week), bob 6 (this week) and 3 (the week before), carol 5."""
    return {
        "alice_mon": log(alice, store_zero, MONDAY, "8", "Checkout flow"),
        "alice_tue": log(alice, dashboard, MONDAY + dt.timedelta(days=1), "7.5", '=HYPERLINK("http://x")'),
        "alice_fri": log(alice, store_zero, MONDAY + dt.timedelta(days=4), "4"),
        "bob_wed": log(bob, dashboard, MONDAY + dt.timedelta(days=2), "6", "Reviews"),
        "bob_prev": log(bob, store_zero, MONDAY - dt.timedelta(days=3), "3"),
        "carol_thu": log(manager, store_zero, MONDAY + dt.timedelta(days=3), "5"),
    }
