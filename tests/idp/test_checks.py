"""System checks: the embedded issuer's tenant (idp.W001-W004) and the live-settings swap (idp.E001)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.checks import run_checks
from oauth2_provider.models import Application
from oauth2_provider.settings import OAuth2ProviderSettings, oauth2_settings

from idp import conf
from idp.checks import embedded_tenant_complete, live_settings_installed
from idp.models import Api, SigningKey
from tests.idp.servers import ROOT, AppServer
from tests.support.tenant import demo_tenant_json

TENANT_WARNINGS = ["idp.W001", "idp.W002", "idp.W003", "idp.W004"]


def ids(messages) -> list[str]:
    return sorted(message.id for message in messages)


# --- idp.E001: the settings swap in idp/conf.py ------------------------------------------------


def test_the_swap_in_effect_is_silent() -> None:
    assert live_settings_installed() == []


def test_an_undone_swap_is_an_error() -> None:
    try:
        oauth2_settings.__class__ = OAuth2ProviderSettings
        errors = live_settings_installed()
    finally:
        conf.install()
    assert ids(errors) == ["idp.E001"]
    assert "OAuth2ProviderSettings, not LiveOAuth2ProviderSettings" in errors[0].msg
    assert live_settings_installed() == []


def test_a_value_fixed_at_start_up_is_an_error(settings) -> None:
    class FixedIssuer(conf.LiveOAuth2ProviderSettings):
        OIDC_ISS_ENDPOINT = "http://issuer.at.start-up/"

    try:
        oauth2_settings.__class__ = FixedIssuer
        errors = live_settings_installed()
    finally:
        conf.install()
    assert ids(errors) == ["idp.E001"]
    assert "OIDC_ISS_ENDPOINT is a fixed value" in errors[0].msg
    assert f"the app's is {settings.TOKEN_ISSUER!r}" in errors[0].msg


def test_the_swap_check_is_registered() -> None:
    try:
        oauth2_settings.__class__ = OAuth2ProviderSettings
        messages = run_checks()
    finally:
        conf.install()
    assert "idp.E001" in ids(messages)


# --- idp.W001-W004: the embedded issuer's tenant -------------------------------------------------


@pytest.mark.django_db
def test_an_empty_tenant_warns_of_each_missing_part(settings) -> None:
    warnings = embedded_tenant_complete(databases=["default"])
    assert ids(warnings) == TENANT_WARNINGS
    messages = " ".join(w.msg for w in warnings)
    assert repr(settings.AUTH0_AUDIENCE) in messages
    assert repr(settings.PWA_CLIENT_ID) in messages and repr(settings.SWAGGER_UI_CLIENT_ID) in messages


@pytest.mark.django_db
def test_the_demo_tenant_is_complete() -> None:
    demo_tenant_json()
    assert embedded_tenant_complete(databases=["default"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remove", "expected"),
    [
        (lambda s: Api.objects.filter(identifier=s.AUTH0_AUDIENCE).delete(), "idp.W001"),
        (lambda s: Application.objects.filter(client_id=s.PWA_CLIENT_ID).delete(), "idp.W002"),
        (lambda s: Application.objects.filter(client_id=s.SWAGGER_UI_CLIENT_ID).delete(), "idp.W003"),
        (lambda s: SigningKey.objects.all().delete(), "idp.W004"),
    ],
    ids=["api", "pwa-app", "swagger-ui-app", "signing-key"],
)
def test_each_missing_part_has_its_warning(settings, remove, expected: str) -> None:
    demo_tenant_json()
    remove(settings)
    assert ids(embedded_tenant_complete(databases=["default"])) == [expected]


@pytest.mark.django_db
def test_a_renamed_audience_is_missing(settings) -> None:
    demo_tenant_json()
    settings.AUTH0_AUDIENCE = "https://api.other.example/timesheets"
    assert ids(embedded_tenant_complete(databases=["default"])) == ["idp.W001"]


@pytest.mark.django_db
def test_an_external_issuer_needs_no_embedded_tenant(settings) -> None:
    settings.EMBEDDED_IDP = False
    assert embedded_tenant_complete(databases=["default"]) == []


@pytest.mark.django_db
def test_tenant_checks_run_only_when_a_database_is_asked_for() -> None:
    """A plain `manage.py check` (and the test suite) reads no database; `--database default` does."""
    assert not [m for m in run_checks() if m.id.startswith("idp.W")]
    assert ids(m for m in run_checks(databases=["default"]) if m.id.startswith("idp.W")) == TENANT_WARNINGS


@pytest.mark.live
def test_manage_py_warns_between_migrate_and_demo_tenant(tmp_path) -> None:
    """Before migrate (no tables): silent. Migrated but no tenant: the warnings. After demo_tenant: silent."""
    env = AppServer(tmp_path).env

    def manage(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result

    before_migrate = manage("check", "--database", "default")
    assert "System check identified no issues" in before_migrate.stdout, before_migrate.stderr
    manage("migrate", "--noinput", "-v", "0")
    without_tenant = manage("check", "--database", "default")
    assert [f"idp.W00{n}" in without_tenant.stderr for n in range(1, 5)] == [True] * 4, without_tenant.stderr
    manage("demo_tenant", "--json")
    with_tenant = manage("check", "--database", "default")
    assert "System check identified no issues" in with_tenant.stdout, with_tenant.stderr
    assert "idp.W" not in with_tenant.stderr
