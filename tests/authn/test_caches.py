"""The per-process caches of verified tokens and users (authn/caches.py) never weaken a check."""

from __future__ import annotations

import datetime as dt
import time

import jwt
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authn import caches
from authn.models import User
from tests.support.issuer import SigningKey

pytestmark = pytest.mark.django_db

ME = "/api/me"
READ = ["read:timesheets"]


class Clock:
    """Moves the caches' clock and PyJWT's together, by whole seconds, without sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real_datetime = dt.datetime
        clock = self

        class ShiftedDatetime(real_datetime):
            @classmethod
            def now(cls, tz=None):
                return real_datetime.now(tz) + dt.timedelta(seconds=clock.offset)

        monkeypatch.setattr(caches, "clock", lambda: time.time() + self.offset)
        monkeypatch.setattr(jwt.api_jwt, "datetime", ShiftedDatetime)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """The tokens whose signature and claims PyJWT checked."""
    seen: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token, *args, **kwargs):
        seen.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    return seen


def test_the_same_token_is_verified_once_and_its_user_read_once(api, make_token, alice, decodes):
    api.as_token(make_token(sub=alice.sub, email=alice.email, name=alice.name, scopes=READ))
    assert api.get(ME).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert api.get(ME).status_code == 200
    assert len(decodes) == 1
    assert queries.captured_queries == []  # no user read, and no user write


def test_a_cold_user_cache_reads_but_does_not_write_an_unchanged_user(api, make_token, alice):
    api.as_token(make_token(sub=alice.sub, email=alice.email, name=alice.name, scopes=READ))
    with CaptureQueriesContext(connection) as queries:
        assert api.get(ME).status_code == 200
    assert len(queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("SELECT")


def test_an_expired_token_is_refused_even_when_cached(api, make_token, alice, clock, settings):
    settings.JWT_LEEWAY_SECONDS = 30
    api.as_token(make_token(sub=alice.sub, scopes=READ, lifetime=60))
    assert api.get(ME).status_code == 200
    clock.advance(75)  # past exp, within the leeway: the full check decides, and accepts
    assert api.get(ME).status_code == 200
    clock.advance(30)  # past exp + leeway
    response = api.get(ME)
    assert response.status_code == 401
    assert "expired" in response.json()["error_description"]


def test_the_cache_never_serves_a_token_at_or_after_its_exp():
    tokens = caches.VerifiedTokens()
    now = time.time()
    entry = caches.VerifiedToken(claims={"exp": now + 10, "iat": now}, alg="RS256", kid="k", key=object())
    tokens.put("a.b.c", entry)
    assert tokens.get("a.b.c") is entry
    caches_clock = caches.clock
    try:
        caches.clock = lambda: now + 10
        assert tokens.get("a.b.c") is None
    finally:
        caches.clock = caches_clock
    assert len(tokens) == 0


def test_the_cache_does_not_serve_a_token_before_its_nbf(monkeypatch):
    tokens = caches.VerifiedTokens()
    now = time.time()
    entry = caches.VerifiedToken(claims={"exp": now + 600, "iat": now, "nbf": now + 20}, alg="RS256", kid="k", key=1)
    tokens.put("a.b.c", entry)  # verified within the leeway before nbf
    assert tokens.get("a.b.c") is None
    tokens.put("a.b.c", entry)
    monkeypatch.setattr(caches, "clock", lambda: now + 20)
    assert tokens.get("a.b.c") is entry


def test_the_token_cache_is_bounded():
    tokens = caches.VerifiedTokens(max_entries=3)
    now = time.time()
    for n in range(5):
        tokens.put(f"token-{n}", caches.VerifiedToken(claims={"exp": now + 60}, alg="RS256", kid="k", key=1))
    assert len(tokens) == 3
    assert tokens.get("token-0") is None and tokens.get("token-1") is None
    assert tokens.get("token-4") is not None


def test_same_claims_with_another_signature_are_not_served_from_the_cache(api, make_token, alice, signing_key):
    now = int(time.time())
    claims = {"sub": alice.sub, "scopes": READ, "iat": now, "exp": now + 600, "jti": "same"}
    genuine = make_token(**claims)
    assert api.as_token(genuine).get(ME).status_code == 200
    forged = make_token(**claims, key=SigningKey.generate(signing_key.kid))
    assert forged.split(".")[:2] == genuine.split(".")[:2]  # same header and claims, another signature
    response = api.as_token(forged).get(ME)
    assert response.status_code == 401
    assert "signature" in response.json()["error_description"]


def test_a_cached_token_stops_working_when_its_key_leaves_the_key_set(
    api, make_token, issuer, settings, signing_key, second_signing_key
):
    settings.JWKS_CACHE_SECONDS = 0  # every request finds the key set stale and refetches it
    settings.JWKS_MIN_REFETCH_SECONDS = 0
    api.as_token(make_token(scopes=READ))
    assert api.get(ME).status_code == 200
    issuer.publish([second_signing_key])
    try:
        response = api.get(ME)
    finally:
        issuer.publish([signing_key])
    assert response.status_code == 401
    assert "unknown" in response.json()["error_description"]


def test_the_allow_list_is_checked_on_every_cached_use(api, make_token, monkeypatch):
    api.as_token(make_token(scopes=READ))
    assert api.get(ME).status_code == 200
    # Set without the setting_changed signal, so the cache is not cleared: the hit itself must check.
    monkeypatch.setattr(django_settings, "JWT_ALGORITHMS", ["ES256"])
    response = api.get(ME)
    assert response.status_code == 401
    assert "algorithm" in response.json()["error_description"]


def test_a_user_deactivated_elsewhere_is_refused_within_the_cache_seconds(api, make_token, alice, clock):
    api.as_token(make_token(sub=alice.sub, email=alice.email, name=alice.name, scopes=READ))
    assert api.get(ME).status_code == 200
    # Another process (or a bulk update, which sends no signal) deactivates the account.
    User.objects.filter(pk=alice.pk).update(is_active=False)
    clock.advance(caches.USER_CACHE_SECONDS - 1)
    assert api.get(ME).status_code == 200  # still cached: the documented bound
    clock.advance(1)
    response = api.get(ME)
    assert response.status_code == 401
    assert "disabled" in response.json()["error_description"]


def test_a_user_deactivated_in_this_process_is_refused_at_once(api, make_token, alice):
    api.as_token(make_token(sub=alice.sub, email=alice.email, name=alice.name, scopes=READ))
    assert api.get(ME).status_code == 200
    alice.is_active = False
    alice.save()
    assert api.get(ME).status_code == 401


def test_a_token_with_a_changed_profile_bypasses_the_user_cache(api, make_token, alice):
    assert api.as_token(make_token(sub=alice.sub, email=alice.email, name=alice.name, scopes=READ)).get(ME)
    response = api.as_token(make_token(sub=alice.sub, email=alice.email, name="Alice Renamed", scopes=READ)).get(ME)
    assert response.json()["name"] == "Alice Renamed"
    alice.refresh_from_db()
    assert alice.name == "Alice Renamed"


def test_each_request_gets_its_own_user_instance(api, make_token, alice):
    caches.users_by_subject.put(alice.sub, alice, profile=(alice.email, alice.name))
    first = caches.users_by_subject.get(alice.sub, profile=(alice.email, alice.name))
    second = caches.users_by_subject.get(alice.sub, profile=(alice.email, alice.name))
    assert first == second == alice  # the same row
    assert first is not second and first is not alice
    first.name = "changed by one request"
    assert second.name == alice.name


def test_each_request_gets_its_own_copy_of_a_cached_user(alice) -> None:
    cache = caches.UsersBySubject()
    cache.put(alice.sub, alice, profile=("alice@abc.example", ""))
    first = cache.get(alice.sub, profile=("alice@abc.example", ""))
    second = cache.get(alice.sub, profile=("alice@abc.example", ""))
    assert first is not second and first is not alice
    assert type(first) is type(alice) and first.pk == alice.pk and first.email == alice.email
    assert first._state is not second._state and not first._state.adding and first._state.db == alice._state.db
    first.name = "changed by one request"
    assert second.name == alice.name != "changed by one request"
    first.save(update_fields=["name"])  # a copy is a real, saved instance
    alice.refresh_from_db()
    assert alice.name == "changed by one request"
