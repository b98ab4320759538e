"""Hostile bearer tokens: odd headers are a 401 invalid_token, never a 500; machine tokens never become people.

The tokens are signed with the issuer's real key, so the only thing wrong with
each is the part under attack. PyJWT refuses to *mint* some of these headers, so
they are assembled and signed by hand here.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from authn.models import User

pytestmark = pytest.mark.django_db


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def hand_signed_token(signing_key, header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{_b64(header)}.{_b64(claims)}"
    signature = signing_key.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.fixture
def person_claims(settings, issuer, alice) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": issuer.url,
        "sub": alice.sub,
        "aud": settings.AUTH0_AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "azp": "test-client",
        "scope": "read:timesheets",
        "jti": uuid.uuid4().hex,
    }


FORGED_HEADERS = {
    "kid is a number": {"kid": 1},
    "kid is a list": {"kid": ["test-key-1"]},
    "kid is an object": {"kid": {"id": "test-key-1"}},
    "kid is null": {"kid": None},
    "crit names an unknown extension": {"kid": "test-key-1", "crit": ["urn:example:unknown"], "urn:example:unknown": 1},
    "crit names a registered claim": {"kid": "test-key-1", "crit": ["exp"], "exp": 1},
    "crit is a string": {"kid": "test-key-1", "crit": "exp"},
    "crit is empty": {"kid": "test-key-1", "crit": []},
    "crit holds a number": {"kid": "test-key-1", "crit": [1]},
    "crit b64 without detached payload": {"kid": "test-key-1", "crit": ["b64"], "b64": False},
}


@pytest.mark.parametrize("attack", FORGED_HEADERS, ids=list(FORGED_HEADERS))
def test_a_forged_header_is_an_invalid_token(attack, api, signing_key, person_claims):
    header = {"alg": "RS256", "typ": "JWT", **FORGED_HEADERS[attack]}
    token = hand_signed_token(signing_key, header, person_claims)
    response = api.as_token(token).get("/api/me")
    assert response.status_code == 401, response.content
    assert response.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_the_hand_signed_token_is_otherwise_good(api, signing_key, person_claims):
    """The control: the same claims under a plain header are accepted, so each 401 above is the header's doing."""
    token = hand_signed_token(signing_key, {"alg": "RS256", "typ": "JWT", "kid": "test-key-1"}, person_claims)
    response = api.as_token(token).get("/api/me")
    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "user"


# Client credentials tokens as providers other than Auth0 shape them (no `gty`, no `@clients`).
MACHINE_TOKENS = {
    "RFC 9068: sub equals client_id": {"sub": "etl-job", "client_id": "etl-job", "azp": None},
    "RFC 9068 with azp too": {"sub": "etl-job", "client_id": "etl-job", "azp": "etl-job"},
    "sub equals azp, no person claims": {"sub": "etl-job", "azp": "etl-job"},
}


@pytest.mark.parametrize("shape", MACHINE_TOKENS, ids=list(MACHINE_TOKENS))
def test_a_generic_oidc_machine_token_is_a_client_not_a_person(shape, api, make_token):
    users_before = User.objects.count()
    token = make_token(scopes=["read:timesheets", "batch:upload"], **MACHINE_TOKENS[shape])
    response = api.as_token(token).get("/api/me")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["id"], body["client_id"]) == ("client", None, "etl-job")
    assert User.objects.count() == users_before
    assert not User.objects.filter(sub="etl-job").exists()
    # A client owns no timesheet: it cannot log time as if it were a person.
    created = api.post("/api/timesheets", {"date": "2026-11-23", "project": "x", "hours": 1}, format="json")
    assert created.status_code == 403


def test_a_machine_client_uploads_with_a_generic_oidc_token(api, make_token, alice, store_zero):
    token = make_token(sub="etl-job", client_id="etl-job", azp=None, scopes=["batch:upload"])
    item = {"user_id": alice.email, "date": "2026-11-23", "project": "StoreZero", "hours": 2}
    response = api.as_token(token).post("/api/timesheets/upload", item, format="json")
    assert response.status_code == 201, response.content
    assert not User.objects.filter(sub="etl-job").exists()


PERSON_TOKENS = {
    "sub differs from the client": {"sub": "oidc|dave", "azp": "phone-app", "email": "dave@abc.example"},
    "sub equals azp but a person's email is there": {"sub": "dave", "azp": "dave", "email": "dave@abc.example"},
    "sub equals azp but a person's name is there": {"sub": "dave", "azp": "dave", "name": "Dave"},
}


@pytest.mark.parametrize("shape", PERSON_TOKENS, ids=list(PERSON_TOKENS))
def test_a_person_is_not_taken_for_a_machine(shape, api, make_token):
    claims = PERSON_TOKENS[shape]
    response = api.as_token(make_token(scopes=["read:timesheets"], **claims)).get("/api/me")
    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "user"
    assert User.objects.filter(sub=claims["sub"]).exists()
