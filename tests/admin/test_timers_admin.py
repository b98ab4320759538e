"""The admin shows running timers read-only (issue 11)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client

from timesheets import services
from timesheets.models import Timer

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/timesheets/timer/"


def test_a_superuser_sees_running_timers_and_cannot_change_them(alice, store_zero, django_user_model):
    berlin = dt.timezone(dt.timedelta(hours=1))
    timer = Timer.objects.create(
        owner=alice,
        uuid=uuid.uuid4(),
        project=store_zero,
        notes="Checkout",
        started_at=dt.datetime(2026, 11, 23, 9, 0, tzinfo=berlin),
        utc_offset_seconds=3600,
    )
    admin_user = django_user_model.objects.create_superuser(username="root", email="root@abc.example", password="x")
    client = Client()
    client.force_login(admin_user)
    page = client.get(CHANGELIST).content.decode()
    assert "Alice Employee" in page and "StoreZero" in page and "2026-11-23T09:00+01:00" in page
    detail = client.get(f"{CHANGELIST}{timer.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.post(f"{CHANGELIST}{timer.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert Timer.objects.get().notes == "Checkout"


def test_a_manager_without_the_permission_does_not_see_timers(carol):
    carol.is_staff = True
    carol.save()
    carol.groups.add(services.managers_group_ensure())
    client = Client()
    client.force_login(carol)
    assert client.get(CHANGELIST).status_code == 403
