"""/pwa/config.json carries the server's own entry limits and scope words (no browser needed)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from authn.permissions import ALL_SCOPES
from pwa.views import PWA_SCOPES
from timesheets.models import MAX_HOURS_PER_DAY, Entry
from timesheets.services import MAX_NOTES_LENGTH, validate_hours

pytestmark = pytest.mark.django_db


def test_config_carries_the_limits_the_server_enforces(client: Client) -> None:
    response = client.get("/pwa/config.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    limits = response.json()["limits"]
    assert limits == {
        "max_hours_per_day": float(MAX_HOURS_PER_DAY),
        "hours_step": 0.25,
        "max_notes_length": MAX_NOTES_LENGTH,
        "max_comment_length": Entry._meta.get_field("decision_comment").max_length,
        "max_days_ahead": 7,
        "max_days_back": None,
        "confirm_days_back": 28,
    }
    # The step is exactly the service's (timesheets has no public name for it yet):
    # whole steps are accepted, half a step is not.
    validate_hours(7 + 3 * limits["hours_step"])
    with pytest.raises(ValidationError):
        validate_hours(7 + limits["hours_step"] / 2)


def test_config_carries_the_date_limits_of_the_settings(client: Client, settings) -> None:
    settings.ENTRY_MAX_DAYS_AHEAD = 0
    settings.ENTRY_MAX_DAYS_BACK = 90
    settings.PWA_CONFIRM_DAYS_BACK = 14
    limits = client.get("/pwa/config.json").json()["limits"]
    assert (limits["max_days_ahead"], limits["max_days_back"], limits["confirm_days_back"]) == (0, 90, 14)


def test_config_names_every_api_scope_in_words(client: Client) -> None:
    labels = client.get("/pwa/config.json").json()["scope_labels"]
    asked = set(PWA_SCOPES.split()) - {"openid", "profile", "email"}
    assert asked | set(ALL_SCOPES) <= set(labels)
    assert all(isinstance(text, str) and text for text in labels.values())
