"""Every API endpoint x every kind of token → status. One table, one test."""

from __future__ import annotations

import itertools
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from authn.permissions import ALL_SCOPES
from timesheets.models import Entry, Timer, Week

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    method: str
    # {own} = an entry of the caller (alice), {other} = an entry of bob; {open_week} = alice's open week
    # (it holds {own}), {submitted_week} = alice's submitted week, {other_week} = the id of bob's submitted week
    path: str
    scope: str
    body: Any
    ok: int


ENTRY = {"date": "2026-11-23", "project": "StoreZero", "hours": 2}
UPLOAD = {"user_id": "bob@abc.example", "date": "2026-11-24", "project": "StoreZero", "hours": 3}
TIMER_UUID = "5f0c1a52-6a1e-4d8e-9a57-3c1b2f4e7d10"  # alice's running timer
TIMER = {"uuid": TIMER_UUID, "project": "StoreZero", "started_at": "2026-11-23T09:00:00+01:00"}

ENDPOINTS = [
    Endpoint("get", "/api/timesheets", "read:timesheets", None, 200),
    Endpoint("post", "/api/timesheets", "create:timesheets", ENTRY, 201),
    Endpoint("get", "/api/timesheets/{own}", "read:timesheets", None, 200),
    Endpoint("patch", "/api/timesheets/{own}", "create:timesheets", {"hours": 1.5}, 200),
    Endpoint("delete", "/api/timesheets/{own}", "delete:timesheets", None, 204),
    Endpoint("post", "/api/timesheets/upload", "batch:upload", UPLOAD, 201),
    Endpoint("get", "/api/approvals", "approve:timesheets", None, 200),
    Endpoint("put", "/api/approvals/{other}", "approve:timesheets", {"status": "approved"}, 200),
    Endpoint("get", "/api/weeks", "read:timesheets", None, 200),
    Endpoint("post", "/api/weeks/{open_week}/submit", "create:timesheets", None, 200),
    Endpoint("post", "/api/weeks/{submitted_week}/withdraw", "create:timesheets", None, 200),
    Endpoint("post", "/api/weeks/{open_week}/copy", "create:timesheets", {"from": "2026-11-09"}, 200),
    Endpoint("get", "/api/approvals/weeks", "approve:timesheets", None, 200),
    Endpoint("put", "/api/approvals/weeks/{other_week}", "approve:timesheets", {"status": "approved"}, 200),
    Endpoint("get", "/api/timer", "read:timesheets", None, 200),
    Endpoint("put", "/api/timer", "create:timesheets", TIMER, 200),
    Endpoint("delete", "/api/timer", "create:timesheets", None, 204),
    Endpoint(
        "post", "/api/timer/stop", "create:timesheets", {"uuid": TIMER_UUID, "stopped_at": "2026-11-23T10:00:00Z"}, 201
    ),
    Endpoint("get", "/api/me", "read:timesheets", None, 200),
    Endpoint("get", "/api/projects", "read:timesheets", None, 200),
    Endpoint("get", "/timesheets", "read:timesheets", None, 200),
    Endpoint("post", "/timesheets", "create:timesheets", ENTRY, 201),
    Endpoint("post", "/timesheets/upload", "batch:upload", UPLOAD, 201),
    Endpoint("get", "/approvals", "approve:timesheets", None, 200),
    Endpoint("put", "/approvals/{other}", "approve:timesheets", {}, 200),
]

TOKENS = ["none", "malformed", "expired", "wrong_audience", "wrong_issuer", "without_scope", "with_scope"]


def _token(kind: str, endpoint: Endpoint, make_token, user) -> str | None:
    scopes = [endpoint.scope]
    now = int(time.time())
    match kind:
        case "none":
            return None
        case "malformed":
            return "eyJhbGciOiJSUzI1NiJ9.bm9wZQ.c2ln"
        case "expired":
            return make_token(sub=user.sub, scopes=scopes, iat=now - 7200, exp=now - 3600)
        case "wrong_audience":
            return make_token(sub=user.sub, scopes=scopes, aud="https://api.other.example/")
        case "wrong_issuer":
            return make_token(sub=user.sub, scopes=scopes, iss="https://issuer.other.example/")
        case "without_scope":
            return make_token(sub=user.sub, scopes=[s for s in ALL_SCOPES if s != endpoint.scope])
        case "with_scope":
            return make_token(sub=user.sub, scopes=scopes)
    raise AssertionError(kind)


def _expected(kind: str, endpoint: Endpoint) -> int:
    if kind == "with_scope":
        return endpoint.ok
    if kind == "without_scope":
        return 403
    return 401


@pytest.mark.parametrize(
    ("endpoint", "kind"),
    list(itertools.product(ENDPOINTS, TOKENS)),
    ids=[f"{e.method.upper()} {e.path} {k}" for e, k in itertools.product(ENDPOINTS, TOKENS)],
)
def test_permission_matrix(api, make_token, alice, bob, store_zero, endpoint: Endpoint, kind: str):
    own = Entry.objects.create(owner=alice, date="2026-11-20", project=store_zero, hours=4)
    other = Entry.objects.create(owner=bob, date="2026-11-20", project=store_zero, hours=4)
    Week.objects.create(owner=alice, monday="2026-11-09", state="submitted", submitted_at="2026-11-13T17:00:00Z")
    other_week = Week.objects.create(
        owner=bob, monday="2026-11-16", state="submitted", submitted_at="2026-11-20T17:00:00Z"
    )
    Timer.objects.create(owner=alice, uuid=TIMER_UUID, project=store_zero, started_at="2026-11-23T08:00:00Z")
    weeks_before = sorted(Week.objects.values_list("owner_id", "monday", "state"))
    path = endpoint.path.format(
        own=own.pk, other=other.pk, open_week="2026-11-16", submitted_week="2026-11-09", other_week=other_week.pk
    )
    api.as_token(_token(kind, endpoint, make_token, alice))
    kwargs = {"format": "json"} if endpoint.body is not None else {}
    args = (path, endpoint.body) if endpoint.body is not None else (path,)
    response = getattr(api, endpoint.method)(*args, **kwargs)

    assert response.status_code == _expected(kind, endpoint), response.content
    if response.status_code == 401:
        assert response.json()["error"] == "invalid_token"
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
    elif response.status_code == 403:
        assert response.json() == {
            "error": "insufficient_scope",
            "error_description": f"This request needs the scope: {endpoint.scope}.",
            "scope": endpoint.scope,
        }
        assert f'error="insufficient_scope", scope="{endpoint.scope}"' in response["WWW-Authenticate"]
    if kind != "with_scope":
        # A refused request changes nothing.
        assert Entry.objects.count() == 2
        assert set(Entry.objects.values_list("status", flat=True)) == {"pending"}
        assert sorted(Week.objects.values_list("owner_id", "monday", "state")) == weeks_before
        assert list(Timer.objects.values_list("uuid", flat=True)) == [uuid.UUID(TIMER_UUID)]


def test_every_api_view_declares_its_scopes():
    """The matrix above covers every route: a new view cannot slip in without a row."""
    from django.urls import get_resolver
    from rest_framework.views import APIView

    from authn.permissions import declared_scopes

    covered = {(e.method.upper(), re.sub(r"\{\w+\}", "<id>", e.path)) for e in ENDPOINTS}
    found = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + str(p.pattern))
                continue
            view = getattr(p.callback, "view_class", None)
            if view is None or not issubclass(view, APIView):
                continue
            if any(cls.__module__.startswith("drf_spectacular") for cls in view.__mro__):
                continue  # the schema and docs pages (and config.urls' SwaggerUIView): no API operations
            path = "/" + re.sub(r"<[\w:]+>", "<id>", prefix + str(p.pattern))
            for method in view.http_method_names:
                if method in {"options", "head"} or not hasattr(view, method):
                    continue
                assert declared_scopes(view(), method) is not None, f"{view.__name__} {method}"
                found.add((method.upper(), path))

    walk(get_resolver().url_patterns)
    api_routes = {r for r in found if not r[1].startswith(("/oauth", "/userinfo", "/.well-known"))}
    assert api_routes <= covered, api_routes - covered


def test_a_view_without_declared_scopes_is_refused(rf, make_token, alice):
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class Forgetful(APIView):
        def get(self, request):
            return Response({"leaked": True})

    request = rf.get("/x", HTTP_AUTHORIZATION=f"Bearer {make_token(sub=alice.sub, scopes=list(ALL_SCOPES))}")
    with pytest.raises(ImproperlyConfigured, match="declares no required_scopes"):
        Forgetful.as_view()(request)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/timesheets"),
        ("trace", "/api/timesheets"),
        ("post", "/api/timesheets/1"),
        ("get", "/api/timesheets/upload"),
        ("delete", "/api/approvals/1"),
        ("patch", "/timesheets"),
        ("trace", "/approvals/1"),
    ],
)
def test_methods_a_route_does_not_have_are_405(api, make_token, alice, method, path):
    api.as_token(make_token(sub=alice.sub, scopes=list(ALL_SCOPES)))
    response = api.generic(method.upper(), path)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_a_method_without_a_handler_is_405_even_without_a_token(api, issuer):
    # There is no handler to protect, and the answer reveals nothing a token would unlock.
    response = api.generic("TRACE", "/api/timesheets")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
