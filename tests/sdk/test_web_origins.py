"""Allowed Web Origins: what may be stored, where they are set and edited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from authn.models import User
from idp.models import ApplicationProfile
from idp.origins import normalise_origin, validate_web_origins
from tests.support.tenant import demo_tenant_json, serve_embedded_issuer_at


@pytest.mark.parametrize(
    "value",
    [
        "https://app.example.com",
        "https://app.example.com:8443",
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:5173",
        "https://a.example, https://b.example",
        "",
    ],
)
def test_accepted_origins(value: str) -> None:
    validate_web_origins(value)


@pytest.mark.parametrize(
    "value",
    [
        "http://app.example.com",  # plain http off loopback
        "http://10.0.0.5:3000",
        "https://app.example.com/callback",  # a URL, not an origin
        "https://app.example.com?x=1",
        "ftp://app.example.com",
        "app.example.com",
        "https://user@app.example.com",
    ],
)
def test_refused_origins(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_web_origins(value)


def test_origins_compare_in_canonical_form() -> None:
    assert normalise_origin("HTTPS://App.Example.com:443/") == "https://app.example.com"
    assert normalise_origin("http://localhost:80") == "http://localhost"


def test_demo_tenant_gives_the_first_party_apps_their_own_origin(db, settings) -> None:
    serve_embedded_issuer_at(settings, "http://127.0.0.1:8000")
    tenant = demo_tenant_json()
    for client_id in (tenant["pwa_client_id"], settings.SWAGGER_UI_CLIENT_ID):
        profile = ApplicationProfile.objects.get(application__client_id=client_id)
        assert profile.allowed_web_origins == "http://127.0.0.1:8000"
    batch = ApplicationProfile.objects.get(application__client_id=tenant["batch_client_id"])
    assert batch.allowed_web_origins == ""


def test_admin_edits_them_with_the_application(db, settings) -> None:
    serve_embedded_issuer_at(settings, "http://127.0.0.1:8000")
    tenant = demo_tenant_json()
    admin = User.objects.create_superuser(username="root", email="root@abc.example", password="x")
    client = Client()
    client.force_login(admin)
    profile = ApplicationProfile.objects.get(application__client_id=tenant["pwa_client_id"])
    page = client.get(f"/admin/oauth2_provider/application/{profile.application_id}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="idp_profile-0-allowed_web_origins"' in html
    assert 'name="allowed_origins"' not in html  # DOT's own field is hidden: one list, Auth0's
