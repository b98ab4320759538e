"""OpenAPI schema, Swagger UI without internet, and /healthz."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import yaml
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_schema_names_each_operations_scope(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    flows = schemes["oauth2"]["flows"]
    assert flows["authorizationCode"]["authorizationUrl"] == "http://127.0.0.1:8000/authorize"
    assert flows["clientCredentials"]["tokenUrl"] == "http://127.0.0.1:8000/oauth/token"

    paths = schema["paths"]
    expected = {
        ("/api/timesheets", "get"): "read:timesheets",
        ("/api/timesheets", "post"): "create:timesheets",
        ("/api/timesheets/{entry_id}", "patch"): "create:timesheets",
        ("/api/timesheets/{entry_id}", "delete"): "delete:timesheets",
        ("/api/timesheets/upload", "post"): "batch:upload",
        ("/api/approvals", "get"): "approve:timesheets",
        ("/api/approvals/{entry_id}", "put"): "approve:timesheets",
        ("/approvals/{entry_id}", "put"): "approve:timesheets",
    }
    for (path, method), scope in expected.items():
        assert paths[path][method]["security"] == [{"oauth2": [scope]}, {"bearerAuth": []}], (path, method)
    # Every operation has a security requirement.
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("security"), (path, method)


def test_schema_follows_an_auth0_tenant(client, settings):
    settings.AUTH0_DOMAIN = "abc.eu.auth0.com"
    settings.TOKEN_ISSUER = "https://abc.eu.auth0.com/"
    schema = yaml.safe_load(client.get("/api/schema/").content)
    flow = schema["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "https://abc.eu.auth0.com/authorize"
    assert flow["tokenUrl"] == "https://abc.eu.auth0.com/oauth/token"


def test_swagger_ui_is_served_locally(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # Swagger UI's start-up script is a file of its own (no inline script, for the page's CSP).
    script = client.get("/api/docs/?script").content.decode()
    assert "usePkceWithAuthorizationCodeGrant" in script
    assert "https://api.exampleco.com/timesheets" in script
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    for url in sources:
        assert not url.startswith(("http://", "https://", "//")), f"external asset {url}"
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url


def test_livez_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.live
def test_healthz_reports_an_unreachable_database(tmp_path):
    """A real unreachable database: the app in a child process pointed at a closed port."""
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(json.dumps([r.status_code, json.loads(r.content)]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/unreachable",
        "VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [503, {"status": "error", "database": "unreachable"}]


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "error_description": "No such resource."}
