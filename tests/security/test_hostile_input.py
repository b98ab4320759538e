"""Hostile request bodies and an unreachable database: a clear 4xx (or 503) in JSON, never a 500, nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from timesheets.models import Entry

pytestmark = pytest.mark.django_db

# (path, who may post there): every route that takes a JSON body.
BODY_ROUTES = {
    "/api/timesheets": "person",
    "/api/timesheets/upload": "machine",
    "/timesheets": "person",
    "/timesheets/upload": "machine",
}

DEPTH = 50_000
NESTED_BODIES = {
    "unclosed arrays": "[" * DEPTH,
    "closed arrays": "[" * DEPTH + "]" * DEPTH,
    "nested objects": '{"a":' * DEPTH + "1" + "}" * DEPTH,
    "nested under a field": '{"date": "2026-11-23", "project": ' + "[" * DEPTH + "]" * DEPTH + ', "hours": 1}',
}


@pytest.fixture
def client_for(as_user, as_machine, alice):
    return lambda who: as_user(alice) if who == "person" else as_machine()


@pytest.mark.parametrize("body", NESTED_BODIES, ids=list(NESTED_BODIES))
@pytest.mark.parametrize("path", BODY_ROUTES)
def test_deeply_nested_json_is_a_400(path, body, client_for):
    response = client_for(BODY_ROUTES[path]).post(path, NESTED_BODIES[body], content_type="application/json")
    assert response.status_code == 400, response.content[:500]
    assert response.json()["error"] == "invalid_request"
    assert Entry.objects.count() == 0


# A lone UTF-16 surrogate, JSON-escaped: valid JSON, but no Unicode text (a 500 before: database, error message).
SURROGATE = "\\ud800"
# NUL: valid JSON and valid Unicode, but PostgreSQL cannot store it (a 500 there, before).
NUL = "\\u0000"
ITEM = '"user_id": "alice@abc.example", "date": "2026-11-23", "hours": 1'

# (path, attack): (body, the field the answer must name). Uploads name it per item (`upload_rejected`).
UNSTORABLE_TEXT = {
    ("/api/timesheets", "lone surrogate in project"): (
        f'{{"date": "2026-11-23", "project": "{SURROGATE}", "hours": 1}}',
        "project",
    ),
    ("/api/timesheets", "lone surrogate in notes"): (
        f'{{"date": "2026-11-23", "project": "StoreZero", "hours": 1, "notes": "a{SURROGATE}"}}',
        "notes",
    ),
    ("/api/timesheets", "NUL in project"): (
        f'{{"date": "2026-11-23", "project": "Store{NUL}Zero", "hours": 1}}',
        "project",
    ),
    ("/timesheets", "lone surrogate in project"): (
        f'{{"date": "2026-11-23", "project": "x{SURROGATE}y", "hours": 1}}',
        "project",
    ),
    ("/api/timesheets/upload", "lone surrogate in project"): (f'{{{ITEM}, "project": "{SURROGATE}"}}', "project"),
    ("/api/timesheets/upload", "lone surrogate in a listed item"): (
        f'[{{{ITEM}, "project": "{SURROGATE}"}}]',
        "project",
    ),
    ("/timesheets/upload", "lone surrogate in user_id"): (
        f'{{"user_id": "{SURROGATE}@abc.example", "date": "2026-11-23", "project": "StoreZero", "hours": 1}}',
        "user_id",
    ),
    ("/timesheets/upload", "NUL in project"): (f'{{{ITEM}, "project": "{NUL}"}}', "project"),
}


def named_fields(body: dict) -> list[str]:
    if body["error"] == "upload_rejected":
        return [name for item in body["items"] for name in item["fields"]]
    assert body["error"] == "invalid_request"
    return list(body["fields"])


@pytest.mark.parametrize(("path", "attack"), UNSTORABLE_TEXT, ids=[" ".join(k) for k in UNSTORABLE_TEXT])
def test_unstorable_text_is_a_400_naming_the_field(path, attack, client_for, store_zero):
    payload, field = UNSTORABLE_TEXT[path, attack]
    response = client_for(BODY_ROUTES[path]).post(path, payload, content_type="application/json")
    assert response.status_code == 400, response.content[:500]
    assert named_fields(response.json()) == [field]
    assert Entry.objects.count() == 0


@pytest.mark.parametrize("value", [SURROGATE, NUL], ids=["lone surrogate", "NUL"])
def test_unstorable_text_in_an_edit_is_a_400(value, as_user, alice, store_zero):
    entry = Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=2, notes="before")
    response = as_user(alice).patch(
        f"/api/timesheets/{entry.pk}", f'{{"notes": "{value}"}}', content_type="application/json"
    )
    assert response.status_code == 400
    assert named_fields(response.json()) == ["notes"]
    entry.refresh_from_db()
    assert entry.notes == "before"


def test_a_field_the_api_does_not_read_is_ignored_whatever_it_holds(client_for, store_zero):
    payload = f'{{{ITEM}, "project": "StoreZero", "{SURROGATE}": "{NUL}", "extra": "{SURROGATE}"}}'
    response = client_for("machine").post("/timesheets/upload", payload, content_type="application/json")
    assert response.status_code == 201, response.content[:500]
    assert Entry.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/timesheets", '{"date": "2026-11-23", "project": "StoreZero", "hours": 1, "notes": 5}', "notes"),
        (
            "/api/timesheets/upload",
            '{"user_id": 7, "date": "2026-11-23", "project": "StoreZero", "hours": 1}',
            "user_id",
        ),
        ("/timesheets/upload", f'{{{ITEM}, "project": "StoreZero", "notes": true}}', "notes"),
    ],
    ids=["number as notes", "number as user_id", "boolean as notes"],
)
def test_a_number_where_text_belongs_is_a_400(path, payload, field, client_for, store_zero):
    """DRF would turn 5 into "5"; the API's description says text, and the API keeps to it."""
    response = client_for(BODY_ROUTES[path]).post(path, payload, content_type="application/json")
    assert response.status_code == 400, response.content[:500]
    assert named_fields(response.json()) == [field]


# --- The database out of reach: 503 temporarily_unavailable with Retry-After, like /healthz ----------------------

UNREACHABLE_DATABASE_SCRIPT = """
import django, json, time
django.setup()
import jwt
from django.conf import settings
from django.test import Client

now = int(time.time())
claims = {"iss": settings.TOKEN_ISSUER, "aud": settings.AUTH0_AUDIENCE, "sub": "auth0|alice", "iat": now,
          "exp": now + 600, "scope": "read:timesheets create:timesheets"}
token = jwt.encode(claims, settings.JWT_HS256_SECRET, algorithm="HS256")
client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Bearer " + token)
answers = {}
for method, path, accept in json.loads(REQUESTS):
    response = getattr(client, method)(path, HTTP_ACCEPT=accept)
    answers[path] = [response.status_code, response["Content-Type"], response.get("Retry-After"),
                     response.content.decode()]
print(json.dumps(answers))
"""

# (method, path, Accept): the API, the sample clients' routes, a non-DRF JSON view and an HTML page.
UNREACHABLE_DATABASE_REQUESTS = [
    ("get", "/api/me", "application/json"),
    ("get", "/api/timesheets", "application/json"),
    ("get", "/timesheets", "application/json"),
    ("get", "/.well-known/jwks.json", "application/json"),
    ("get", "/authorize?client_id=timesheets-mobile&response_type=code", "text/html"),
]


@pytest.fixture(scope="module")
def answers_without_a_database(tmp_path_factory) -> dict[str, list]:
    """The app in a child process whose DATABASE_URL points at a closed port: a real unreachable database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/unreachable",
        "VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "ALLOWED_HOSTS": "testserver",
        "JWT_ALGORITHMS": "HS256",
        "JWT_HS256_SECRET": "s" * 40,
        "DEBUG": "false",
    }
    script = f"REQUESTS = {json.dumps(json.dumps(UNREACHABLE_DATABASE_REQUESTS))}\n" + UNREACHABLE_DATABASE_SCRIPT
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("method", "path", "accept"), UNREACHABLE_DATABASE_REQUESTS)
def test_an_unreachable_database_is_a_503_with_retry_after(method, path, accept, answers_without_a_database):
    status, content_type, retry_after, content = answers_without_a_database[path]
    assert status == 503, content[:500]
    assert retry_after is not None and int(retry_after) > 0
    if accept == "application/json":
        assert content_type == "application/json"
        assert json.loads(content)["error"] == "temporarily_unavailable"
    else:
        assert "Temporarily unavailable" in content
