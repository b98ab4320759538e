"""Bearer-JWT validation against keys served by a real local HTTP JWKS endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from authn.models import User
from tests.support.issuer import SigningKey

pytestmark = pytest.mark.django_db

ME = "/api/me"
READ = ["read:timesheets"]


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_invalid_token(response, fragment: str) -> None:
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["error"] == "invalid_token"
    assert fragment.lower() in body["error_description"].lower()
    assert response["WWW-Authenticate"].startswith('Bearer realm="ABC Timesheets", error="invalid_token"')


def test_valid_token_is_accepted(api, make_token, alice):
    response = api.as_token(make_token(sub=alice.sub, scopes=READ)).get(ME)
    assert response.status_code == 200
    assert response.json()["sub"] == alice.sub


def test_missing_token(api, issuer):
    response = api.get(ME)
    assert_invalid_token(response, "bearer access token is required")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "Bearer a b", "Token abc"],
)
def test_malformed_authorization_header(api, issuer, header):
    response = api.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_garbage_token(api, issuer):
    assert_invalid_token(api.as_token("not.a.jwt").get(ME), "well-formed")


def test_expired_token(api, make_token):
    token = make_token(scopes=READ, iat=int(time.time()) - 4000, exp=int(time.time()) - 3600)
    assert_invalid_token(api.as_token(token).get(ME), "expired")


def test_token_within_leeway_is_accepted(api, make_token, settings):
    settings.JWT_LEEWAY_SECONDS = 30
    token = make_token(scopes=READ, iat=int(time.time()) - 700, exp=int(time.time()) - 5)
    assert api.as_token(token).get(ME).status_code == 200


def test_not_yet_valid_token(api, make_token):
    token = make_token(scopes=READ, nbf=int(time.time()) + 3600)
    assert_invalid_token(api.as_token(token).get(ME), "not valid yet")


def test_token_issued_in_the_future(api, make_token):
    token = make_token(scopes=READ, iat=int(time.time()) + 3600, exp=int(time.time()) + 7200)
    assert_invalid_token(api.as_token(token).get(ME), "not valid yet")


@pytest.mark.parametrize("aud", ["https://api.other.example/", ["https://api.other.example/", "x"]])
def test_wrong_audience(api, make_token, aud):
    assert_invalid_token(api.as_token(make_token(scopes=READ, aud=aud)).get(ME), "audience")


def test_audience_as_plain_string(api, make_token, settings):
    assert api.as_token(make_token(scopes=READ, aud=settings.AUTH0_AUDIENCE)).get(ME).status_code == 200


def test_wrong_issuer(api, make_token):
    assert_invalid_token(api.as_token(make_token(scopes=READ, iss="https://evil.example/")).get(ME), "issuer")


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub"])
def test_required_claims(api, make_token, claim):
    token = make_token(scopes=READ, **{claim: None})
    assert api.as_token(token).get(ME).status_code == 401


def test_signature_from_another_key_with_the_same_kid(api, make_token, signing_key):
    forger = SigningKey.generate(signing_key.kid)
    assert_invalid_token(api.as_token(make_token(scopes=READ, key=forger)).get(ME), "signature")


def test_tampered_payload(api, make_token):
    header, _, signature = make_token(scopes=READ).split(".")
    forged_payload = _b64({"sub": "auth0|mallory", "scope": "approve:timesheets"})
    assert api.as_token(f"{header}.{forged_payload}.{signature}").get(ME).status_code == 401


def test_alg_none_is_refused(api, make_token):
    _, payload, _ = make_token(scopes=READ).split(".")
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    assert_invalid_token(api.as_token(token).get(ME), "algorithm")


def test_hs256_signed_with_the_public_key_is_refused(api, make_token, signing_key):
    """The classic algorithm confusion: HS256 keyed with the RSA public key. The allow-list is RS256 only."""
    public_pem = signing_key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _, payload, _ = make_token(scopes=READ).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "==="))
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": signing_key.kid})
    signing_input = f"{header}.{_b64(claims)}".encode()
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, signing_input, hashlib.sha256).digest()).rstrip(b"=")
    token = f"{signing_input.decode()}.{signature.decode()}"
    assert_invalid_token(api.as_token(token).get(ME), "algorithm")


def test_hs256_when_configured_with_a_shared_secret(api, make_token, settings, alice):
    secret = "s" * 40
    settings.JWT_ALGORITHMS = ["HS256"]
    settings.JWT_HS256_SECRET = secret
    good = make_token(sub=alice.sub, scopes=READ, algorithm="HS256", secret=secret)
    assert api.as_token(good).get(ME).status_code == 200
    bad = make_token(sub=alice.sub, scopes=READ, algorithm="HS256", secret="x" * 40)
    assert_invalid_token(api.as_token(bad).get(ME), "signature")
    # RS256 tokens are refused once the API is configured for HS256 only.
    assert_invalid_token(api.as_token(make_token(sub=alice.sub, scopes=READ)).get(ME), "algorithm")


def test_token_without_kid(api, make_token, signing_key):
    # Only to copy a valid token's claims into one re-signed without a kid.
    claims = jwt.decode(make_token(scopes=READ), options={"verify_signature": False})
    token = jwt.encode(claims, signing_key.private_key, algorithm="RS256")
    assert_invalid_token(api.as_token(token).get(ME), "kid")


def test_unknown_kid(api, make_token):
    stranger = SigningKey.generate("someone-elses-key")
    assert_invalid_token(api.as_token(make_token(scopes=READ, key=stranger)).get(ME), "unknown")


def test_rotated_key_is_fetched_on_first_sight(api, make_token, issuer, signing_key, second_signing_key, settings):
    settings.JWKS_MIN_REFETCH_SECONDS = 0
    assert api.as_token(make_token(scopes=READ)).get(ME).status_code == 200
    fetches = issuer.jwks_requests

    issuer.publish([signing_key, second_signing_key])
    response = api.as_token(make_token(scopes=READ, key=second_signing_key)).get(ME)
    assert response.status_code == 200
    assert issuer.jwks_requests == fetches + 1
    # Both keys now come from the cache.
    assert api.as_token(make_token(scopes=READ)).get(ME).status_code == 200
    assert api.as_token(make_token(scopes=READ, key=second_signing_key)).get(ME).status_code == 200
    assert issuer.jwks_requests == fetches + 1


def test_unknown_kids_do_not_flood_the_issuer(api, make_token, issuer, settings, signing_key):
    settings.JWKS_MIN_REFETCH_SECONDS = 60
    assert api.as_token(make_token(scopes=READ)).get(ME).status_code == 200
    fetches = issuer.jwks_requests
    for n in range(10):
        stranger = SigningKey(kid=f"made-up-{n}", private_key=signing_key.private_key)
        assert api.as_token(make_token(scopes=READ, key=stranger)).get(ME).status_code == 401
    # The first unknown kid may trigger one refetch; the other nine wait for the interval.
    assert issuer.jwks_requests <= fetches + 1


def test_cached_keys_keep_working_while_the_issuer_is_down(api, make_token, issuer, settings):
    settings.JWKS_MIN_REFETCH_SECONDS = 0
    settings.JWKS_CACHE_SECONDS = 0  # every request finds the set stale and tries to refetch
    assert api.as_token(make_token(scopes=READ)).get(ME).status_code == 200
    fetches = issuer.jwks_requests
    issuer.stop()
    try:
        response = api.as_token(make_token(scopes=READ)).get(ME)
    finally:
        issuer.start()
    assert response.status_code == 200
    assert issuer.jwks_requests == fetches  # the refetch failed; the cached key answered


def test_issuer_down_on_a_cold_cache_is_a_503_not_a_500(api, make_token, issuer):
    issuer.stop()
    try:
        response = api.as_token(make_token(scopes=READ)).get(ME)
    finally:
        issuer.start()
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert int(response["Retry-After"]) > 0


def test_scopes_come_from_scope_and_permissions(api, make_token, alice):
    token = make_token(sub=alice.sub, scopes=[], permissions=["read:timesheets", "create:timesheets"])
    response = api.as_token(token).get(ME)
    assert response.status_code == 200
    assert response.json()["scopes"] == ["create:timesheets", "read:timesheets"]


def test_user_is_created_on_first_sight_and_refreshed(api, make_token, settings):
    token = make_token(sub="auth0|newcomer", scopes=READ, email="dana@abc.example", name="Dana")
    response = api.as_token(token).get(ME)
    assert response.status_code == 200
    user = User.objects.get(sub="auth0|newcomer")
    assert (user.email, user.name) == ("dana@abc.example", "Dana")
    assert not user.has_usable_password()

    token = make_token(sub="auth0|newcomer", scopes=READ, email="dana.new@abc.example", name="Dana N.")
    assert api.as_token(token).get(ME).status_code == 200
    user.refresh_from_db()
    assert (user.email, user.name) == ("dana.new@abc.example", "Dana N.")
    assert User.objects.filter(sub="auth0|newcomer").count() == 1


def test_a_claimed_email_of_another_account_is_not_taken_over(api, make_token, alice):
    token = make_token(sub="auth0|mallory", scopes=READ, email=alice.email.upper())
    assert api.as_token(token).get(ME).status_code == 200
    assert User.objects.get(sub="auth0|mallory").email == ""
    alice.refresh_from_db()
    assert alice.email == "alice@abc.example"


def test_disabled_account_is_refused(api, make_token, alice):
    alice.is_active = False
    alice.save()
    assert_invalid_token(api.as_token(make_token(sub=alice.sub, scopes=READ)).get(ME), "disabled")


def test_machine_token_is_a_client_not_a_user(as_machine):
    users_before = User.objects.count()
    response = as_machine(scopes=["read:timesheets"]).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "client"
    assert body["client_id"] == "batch-client"
    assert body["id"] is None
    assert User.objects.count() == users_before
