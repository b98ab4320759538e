"""How far ahead and back time may be logged: one rule for the API, uploads and the admin (issue 11 §1)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.env import env_optional_int
from timesheets import services
from timesheets.models import Entry
from timesheets.services.dates import entry_date_error, entry_date_range

pytestmark = pytest.mark.django_db

LIST = "/api/timesheets"


def day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


@pytest.fixture
def alice_api(as_user, alice):
    return as_user(alice)


@pytest.fixture
def limited(settings):
    settings.ENTRY_MAX_DAYS_AHEAD = 7
    settings.ENTRY_MAX_DAYS_BACK = 30
    return settings


def test_defaults_are_a_week_ahead_and_no_limit_back(settings):
    assert settings.ENTRY_MAX_DAYS_AHEAD == 7 and settings.ENTRY_MAX_DAYS_BACK is None
    assert entry_date_range() == (None, day(7))
    assert entry_date_error(dt.date(1990, 1, 1)) is None
    assert entry_date_error(day(7)) is None
    assert entry_date_error(day(8)) == f"Time can be logged at most 7 days ahead (up to {day(7).isoformat()})."


def test_the_limits_are_inclusive(limited):
    assert entry_date_error(day(-30)) is None
    assert entry_date_error(day(-31)) == f"Time can be logged at most 30 days back (from {day(-30).isoformat()})."
    assert entry_date_error(dt.date(2099, 6, 15)).startswith("Time can be logged at most 7 days ahead")


def test_zero_days_ahead_means_today_at_most(settings):
    settings.ENTRY_MAX_DAYS_AHEAD = 0
    assert entry_date_error(day(0)) is None
    assert entry_date_error(day(1)) == f"Time can be logged at most 0 days ahead (up to {day(0).isoformat()})."


def test_today_is_the_day_in_the_configured_time_zone(settings, monkeypatch):
    # 23:30 UTC on 1 March is already 2 March in Berlin: one day ahead from Berlin's today is 3 March.
    settings.TIME_ZONE = "Europe/Berlin"
    settings.ENTRY_MAX_DAYS_AHEAD = 1
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    assert entry_date_range() == (None, dt.date(2026, 3, 3))


@pytest.mark.parametrize(
    ("raw", "value"),
    [(None, None), ("", None), ("  ", None), ("0", 0), ("90", 90)],
)
def test_env_optional_int(monkeypatch, raw, value):
    if raw is None:
        monkeypatch.delenv("ENTRY_MAX_DAYS_BACK", raising=False)
    else:
        monkeypatch.setenv("ENTRY_MAX_DAYS_BACK", raw)
    assert env_optional_int("ENTRY_MAX_DAYS_BACK", minimum=0) == value


@pytest.mark.parametrize("raw", ["-1", "ten", "1.5"])
def test_env_optional_int_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("ENTRY_MAX_DAYS_BACK", raw)
    with pytest.raises(ImproperlyConfigured, match="ENTRY_MAX_DAYS_BACK"):
        env_optional_int("ENTRY_MAX_DAYS_BACK", minimum=0)


# --- the API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [8, -31])
def test_api_create_beyond_the_limits_is_a_400_on_date(alice_api, limited, store_zero, offset):
    response = alice_api.post(
        LIST, {"date": day(offset).isoformat(), "project": "StoreZero", "hours": 1}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert list(body["fields"]) == ["date"]
    assert body["fields"]["date"][0].startswith("Time can be logged at most")
    assert not Entry.objects.exists()


@pytest.mark.parametrize("offset", [7, 0, -30])
def test_api_create_within_the_limits(alice_api, limited, store_zero, offset):
    response = alice_api.post(
        LIST, {"date": day(offset).isoformat(), "project": "StoreZero", "hours": 1}, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_retried_create_is_answered_even_when_its_date_has_left_the_window(alice_api, limited, alice, store_zero):
    key = uuid.uuid4()
    entry = Entry.objects.create(owner=alice, date=day(-40), project=store_zero, hours=1, uuid=key)
    payload = {"date": day(-40).isoformat(), "project": "StoreZero", "hours": 1, "uuid": str(key)}
    response = alice_api.post(LIST, payload, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == entry.pk


def test_api_patch_to_a_date_beyond_the_limits_is_refused(alice_api, limited, alice, store_zero):
    entry = services.entry_create(owner=alice, date=day(0), project=store_zero, hours=1)[0]
    response = alice_api.patch(f"{LIST}/{entry.pk}", {"date": day(9).isoformat()}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["date"]
    assert Entry.objects.get(pk=entry.pk).date == day(0)


def test_an_old_entry_stays_correctable_while_its_date_does_not_change(alice_api, limited, alice, store_zero):
    entry = Entry.objects.create(owner=alice, date=day(-100), project=store_zero, hours=1)
    response = alice_api.patch(f"{LIST}/{entry.pk}", {"hours": 2, "date": day(-100).isoformat()}, format="json")
    assert response.status_code == 200, response.content
    assert Entry.objects.get(pk=entry.pk).hours == Decimal("2")


# --- upload and admin --------------------------------------------------------------------------------


def test_upload_beyond_the_limits_is_rejected_by_item(as_machine, limited, bob, store_zero):
    items = [
        {"user_id": bob.email, "date": day(0).isoformat(), "project": "StoreZero", "hours": 1},
        {"user_id": bob.email, "date": day(8).isoformat(), "project": "StoreZero", "hours": 1},
        {"user_id": bob.email, "date": day(-31).isoformat(), "project": "StoreZero", "hours": 1},
    ]
    response = as_machine().post(f"{LIST}/upload", items, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "upload_rejected"
    assert [(item["index"], list(item["fields"])) for item in body["items"]] == [(1, ["date"]), (2, ["date"])]
    assert "ahead" in body["items"][0]["fields"]["date"][0] and "back" in body["items"][1]["fields"]["date"][0]
    assert not Entry.objects.exists()


def test_upload_of_history_is_accepted_by_default(as_machine, bob, store_zero):
    item = {"user_id": bob.email, "date": "1990-01-01", "project": "StoreZero", "hours": 1}
    assert as_machine().post(f"{LIST}/upload", item, format="json").status_code == 201


def test_admin_form_shows_the_date_limit(limited, alice, carol, store_zero):
    carol.is_staff = True
    carol.save()
    carol.groups.add(services.managers_group_ensure())
    client = Client()
    client.force_login(carol)
    entry = services.entry_create(owner=alice, date=day(0), project=store_zero, hours=1)[0]
    form = {
        "date": day(10).isoformat(),
        "project": str(store_zero.pk),
        "hours": "1",
        "notes": "",
        "audit-TOTAL_FORMS": "0",
        "audit-INITIAL_FORMS": "0",
        "audit-MIN_NUM_FORMS": "0",
        "audit-MAX_NUM_FORMS": "0",
        "_save": "Save",
    }
    response = client.post(reverse("admin:timesheets_entry_change", args=[entry.pk]), form)
    assert response.status_code == 200
    assert "Time can be logged at most 7 days ahead" in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).date == day(0)
