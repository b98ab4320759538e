"""`manage.py check --deploy` passes for an https deployment; what answers each warning is tested (issue 9, item 11)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from oauth2_provider.models import get_application_model

from tests.idp.conftest import Tenant, tenant_at

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_https_and_a_real_secret_key(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PUBLIC_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PUBLIC_URL="https://timesheets.example.com",
        SECRET_KEY=secrets.token_urlsafe(60),
        VAR_DIR=str(tmp_path),
    )
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def https_settings(settings):
    """What config/settings.py sets for an https PUBLIC_URL."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^healthz$"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_except_the_probes(https_settings) -> None:
    client = Client()
    redirected = client.get("/api/docs/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
    assert client.get("/livez").status_code == 200
    assert client.get("/healthz").status_code == 200
    behind_proxy = client.get("/livez", HTTP_X_FORWARDED_PROTO="https")
    assert behind_proxy["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    return tenant_at(live_server, settings)


def test_with_an_https_issuer_only_loopback_redirect_uris_may_be_http(tenant: Tenant, settings) -> None:
    application = get_application_model().objects.get(client_id=tenant.pwa_client_id)
    application.redirect_uris += " http://client.example/callback"
    application.save()
    plain = tenant.authorization()
    plain.redirect_uri = "http://client.example/callback"
    assert plain.open().status_code == 200  # an http issuer (development) accepts it
    settings.PUBLIC_URL = "https://timesheets.example.com"
    refused = plain.open()
    assert refused.status_code == 400
    assert "Location" not in refused.headers
    assert tenant.authorization().open().status_code == 200  # loopback http (the live server) still works
