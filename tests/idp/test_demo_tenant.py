"""demo_tenant: idempotent, prints working credentials, and only projects in external mode."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from oauth2_provider.models import Application

from idp.models import Api, AppType, ClientGrant, Role
from idp.validator import Auth0CompatibleValidator
from timesheets.models import Project


def run_json() -> dict:
    out = io.StringIO()
    call_command("demo_tenant", "--json", stdout=out)
    return json.loads(out.getvalue())


def secret_works(client_id: str, secret: str) -> bool:
    app = Application.objects.get(client_id=client_id)
    return Auth0CompatibleValidator()._check_secret(secret, app.client_secret)


@pytest.mark.django_db
def test_json_output_is_exactly_the_documented_object(settings) -> None:
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    settings.TOKEN_ISSUER = "http://127.0.0.1:8000/"
    data = run_json()
    assert set(data) == {
        "issuer",
        "audience",
        "pwa_client_id",
        "pwa_redirect_uri",
        "batch_client_id",
        "batch_client_secret",
        "users",
    }
    assert data["issuer"] == "http://127.0.0.1:8000/"
    assert data["audience"] == "https://api.exampleco.com/timesheets"
    assert data["pwa_client_id"] == settings.PWA_CLIENT_ID
    assert data["pwa_redirect_uri"] == "http://127.0.0.1:8000/callback"
    assert [(u["username"], u["roles"]) for u in data["users"]] == [("alice", ["Employee"]), ("carol", ["Manager"])]
    for user in data["users"]:
        assert set(user) == {"username", "password", "roles"}
        assert authenticate(username=user["username"], password=user["password"]) is not None


@pytest.mark.django_db
def test_tenant_contents(settings, django_user_model) -> None:
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    run_json()
    api = Api.objects.get(identifier="https://api.exampleco.com/timesheets")
    assert api.allow_offline_access and api.signing_algorithm == "RS256"
    assert sorted(api.scopes.values_list("value", flat=True)) == [
        "approve:timesheets",
        "batch:upload",
        "create:timesheets",
        "delete:timesheets",
        "read:timesheets",
    ]
    roles = {role.name: sorted(role.permissions.values_list("value", flat=True)) for role in Role.objects.all()}
    assert roles == {
        "Employee": ["create:timesheets", "delete:timesheets", "read:timesheets"],
        "Manager": ["approve:timesheets", "create:timesheets", "delete:timesheets", "read:timesheets"],
    }
    pwa = Application.objects.get(client_id=settings.PWA_CLIENT_ID)
    assert pwa.name == "Timesheets Mobile"
    assert pwa.idp_profile.app_type == AppType.SPA
    assert pwa.client_type == "public" and pwa.authorization_grant_type == "authorization-code"
    assert pwa.redirect_uris == "http://127.0.0.1:8000/callback"
    assert pwa.post_logout_redirect_uris == "http://127.0.0.1:8000/"
    swagger = Application.objects.get(client_id=settings.SWAGGER_UI_CLIENT_ID)
    assert swagger.redirect_uris == "http://127.0.0.1:8000/api/docs/oauth2-redirect.html"
    grant = ClientGrant.objects.get(application__client_id="timesheets-batch")
    # Upload for anyone, and read back what it uploaded (the README's curl example lists it).
    assert sorted(grant.scopes.values_list("value", flat=True)) == ["batch:upload", "read:timesheets"]
    alice = django_user_model.objects.get(username="alice")
    carol = django_user_model.objects.get(username="carol")
    assert (alice.email, alice.name, alice.employee_number) == ("alice@exampleco.com", "Alice Employee", "E001")
    assert (carol.email, carol.name, carol.employee_number) == ("carol@exampleco.com", "Carol Manager", "M001")
    assert alice.password.startswith("md5$")  # hashed (MD5 only because the tests make hashing fast)
    # Managers review time in the admin: staff in the Managers group, never superusers.
    assert carol.is_staff and not carol.is_superuser
    assert list(carol.groups.values_list("name", flat=True)) == ["Managers"]
    assert not alice.is_staff and not alice.groups.exists()
    assert sorted(Project.objects.values_list("name", flat=True)) == ["Auth0 Dashboard", "StoreZero"]


@pytest.mark.django_db
def test_idempotent_and_every_run_prints_working_credentials(settings, django_user_model) -> None:
    first = run_json()
    counts = (
        Application.objects.count(),
        django_user_model.objects.count(),
        Project.objects.count(),
        Role.objects.count(),
    )
    alice_sub = django_user_model.objects.get(username="alice").sub
    second = run_json()
    assert counts == (
        Application.objects.count(),
        django_user_model.objects.count(),
        Project.objects.count(),
        Role.objects.count(),
    )
    assert django_user_model.objects.get(username="alice").sub == alice_sub
    assert second["batch_client_secret"] != first["batch_client_secret"]
    assert secret_works("timesheets-batch", second["batch_client_secret"])
    assert not secret_works("timesheets-batch", first["batch_client_secret"])
    assert Application.objects.get(client_id="timesheets-batch").client_secret != second["batch_client_secret"]
    for old, new in zip(first["users"], second["users"], strict=True):
        assert old["password"] != new["password"]
        assert authenticate(username=new["username"], password=new["password"]) is not None
        assert authenticate(username=old["username"], password=old["password"]) is None


@pytest.mark.django_db
def test_text_output_has_credentials_and_a_curl_example(settings) -> None:
    out = io.StringIO()
    call_command("demo_tenant", stdout=out)
    text = out.getvalue()
    assert "alice" in text and "carol" in text
    assert "curl" in text and "/oauth/token" in text and "/api/timesheets/upload" in text
    assert "/api/docs/" in text


@pytest.mark.django_db
def test_external_mode_creates_only_projects(settings) -> None:
    settings.EMBEDDED_IDP = False
    settings.AUTH0_DOMAIN = "exampleco.eu.auth0.com"
    settings.TOKEN_ISSUER = "https://exampleco.eu.auth0.com/"
    out = io.StringIO()
    call_command("demo_tenant", stdout=out)
    assert "external provider" in out.getvalue()
    assert sorted(Project.objects.values_list("name", flat=True)) == ["Auth0 Dashboard", "StoreZero"]
    assert not Application.objects.exists()
    assert not Api.objects.exists()
