"""Bearer-JWT authentication for the API (RFC 6750).

Validates access tokens from the configured issuer only: the algorithm
allow-list comes from settings (never from the token), RS keys from the
issuer's JWKS by `kid`, and `iss`, `aud`, `exp`, `nbf`, `iat` are all checked.
"""

from __future__ import annotations

import jwt
from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from authn import caches, services
from authn.issuer import DiscoveryUnavailable, jwks_cache
from authn.jwks import JWKSUnavailable
from authn.principals import AccessToken, MachineClient

REALM = "ABC Timesheets"


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"


class IssuerUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "temporarily_unavailable"
    default_detail = "The token issuer's keys cannot be fetched right now; try again shortly."


_FAILURE_MESSAGES: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "The token has expired."),
    (jwt.ImmatureSignatureError, "The token is not valid yet."),
    (jwt.InvalidAudienceError, "The token was not issued for this API (audience)."),
    (jwt.InvalidIssuerError, "The token was not issued by the trusted issuer."),
    (jwt.MissingRequiredClaimError, "The token lacks a required claim."),
    (jwt.InvalidSignatureError, "The token signature is invalid."),
]


def scopes_from_claims(claims: dict) -> frozenset[str]:
    """Scopes from `scope` (space separated) and Auth0's RBAC `permissions` array."""
    scopes: set[str] = set()
    scope = claims.get("scope")
    if isinstance(scope, str):
        scopes.update(scope.split())
    permissions = claims.get("permissions")
    if isinstance(permissions, list):
        scopes.update(p for p in permissions if isinstance(p, str))
    return frozenset(scopes)


# Claims only a person's token carries; a token with one of them is never taken for a machine by `azp` alone.
_PERSON_CLAIMS = ("email", "email_verified", "name", "given_name", "family_name", "preferred_username", "nickname")


def client_id_from_claims(claims: dict) -> str:
    """The client the token was issued to: `azp` (Auth0, OIDC) or `client_id` (RFC 9068)."""
    for name in ("azp", "client_id"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def is_machine_token(claims: dict) -> bool:
    """Whether the token is for a client acting on its own behalf (client credentials), not for a person.

    - Auth0: `gty: client-credentials`, or `sub` = `<client_id>@clients`.
    - RFC 9068 (generic OIDC providers): no resource owner, so `sub` is the client's own identifier and
      equals the required `client_id` claim.
    - Providers that name the client only in `azp`: `sub` = `azp`, and only when the token carries no
      claim that describes a person (email, name, ...), so a person is never mistaken for a client.
    A machine token maps to a MachineClient and never creates a user row.
    """
    sub = claims["sub"]
    if claims.get("gty") == "client-credentials" or sub.endswith("@clients"):
        return True
    if claims.get("client_id") == sub:
        return True
    person_claims = (*_PERSON_CLAIMS, settings.AUTH0_EMAIL_CLAIM)
    return claims.get("azp") == sub and not any(claims.get(name) for name in person_claims)


def _signing_key(token: str) -> tuple[object, str, str | None]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        # Not only DecodeError: PyJWT refuses a non-string `kid` or a bad `crit` with InvalidTokenError.
        raise InvalidToken("The token is not a well-formed JWT.") from None
    if "crit" in header:
        # RFC 7515 4.1.11: a recipient must refuse critical extensions it does not understand; we use none.
        raise InvalidToken("The token requires extensions (crit) this API does not support.")
    alg = header.get("alg")
    if alg not in settings.JWT_ALGORITHMS:
        raise InvalidToken("The token's signing algorithm is not accepted.")
    kid = None if alg == "HS256" else header.get("kid")
    if alg != "HS256" and (not isinstance(kid, str) or not kid):
        raise InvalidToken("The token names no signing key (kid).")
    key = _current_key(alg, kid)
    if key is None:
        raise InvalidToken("The token's signing key is unknown.")
    return key, alg, kid


def _current_key(alg: str, kid: str | None) -> object | None:
    """The key the issuer publishes now under `kid` (the shared secret for HS256)."""
    if alg == "HS256":
        return settings.JWT_HS256_SECRET
    try:
        key = jwks_cache().get_key(kid)
    except (JWKSUnavailable, DiscoveryUnavailable):
        raise IssuerUnavailable() from None
    return None if key is None else key.key


def validate_access_token(token: str) -> dict:
    """The token's claims, or InvalidToken saying what is wrong with it.

    The algorithm allow-list and the key lookup by `kid` run every time; parsing,
    the signature and the claim checks are skipped only for this exact token
    (same SHA-256), verified earlier with the key the issuer still publishes and
    within its `nbf`..`exp` now (authn/caches.py).
    """
    cached = caches.verified_tokens.get(token)
    if (
        cached is not None
        and cached.alg in settings.JWT_ALGORITHMS
        and _current_key(cached.alg, cached.kid) is cached.key
    ):
        return cached.claims
    key, alg, kid = _signing_key(token)
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[alg],
            audience=settings.AUTH0_AUDIENCE,
            issuer=settings.TOKEN_ISSUER,
            leeway=settings.JWT_LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_iat": True},
        )
    except jwt.PyJWTError as exc:
        for kind, message in _FAILURE_MESSAGES:
            if isinstance(exc, kind):
                raise InvalidToken(message) from None
        raise InvalidToken("The token is invalid.") from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidToken("The token's subject is missing.")
    caches.verified_tokens.put(token, caches.VerifiedToken(claims=claims, alg=alg, kid=kid, key=key))
    return claims


class BearerJWTAuthentication(BaseAuthentication):
    def authenticate(self, request: Request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise InvalidToken("The Authorization header must be 'Bearer <token>'.")

        claims = validate_access_token(token)
        scopes = scopes_from_claims(claims)
        client_id = client_id_from_claims(claims)
        sub = claims["sub"]
        is_machine = is_machine_token(claims)
        if is_machine:
            principal = MachineClient(client_id or sub.removesuffix("@clients"))
        else:
            principal = services.user_for_claims(claims=claims)
            if not principal.is_active:
                raise InvalidToken("This account is disabled.")
        info = AccessToken(claims=claims, scopes=scopes, subject=sub, client_id=str(client_id), is_machine=is_machine)
        return principal, info

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{REALM}", error="invalid_token"'
