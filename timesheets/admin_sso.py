"""Managers' sign-in to the Django admin through an external issuer (Auth0 or any OIDC provider).

Used only when an external issuer is configured (`AUTH0_DOMAIN` / `OIDC_ISSUER`)
and `ADMIN_OIDC_CLIENT_ID` is set; with the embedded issuer the admin keeps
Django's own sign-in. It lives with the admin it serves (the product side): it
grants and revokes the Managers' admin access, which `authn` and `idp` must not
know about. Built on mozilla-django-oidc (Authorization Code flow
with PKCE, state and nonce). On top of it:

- endpoints come from the configured issuer (authn.issuer), not from settings;
- the redirect URI is built from PUBLIC_URL, never from the Host header;
- the ID token's issuer and audience are checked, its key comes from the API's
  JWKS cache;
- the access token is validated exactly as the API validates it, and only a
  token carrying `approve:timesheets` gets the admin: the user (found by `sub`)
  becomes staff and a member of the Managers group. Anyone else is refused.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from rest_framework.exceptions import APIException

from authn.authentication import scopes_from_claims, validate_access_token
from authn.issuer import DiscoveryUnavailable, issuer_endpoints, jwks_cache
from authn.jwks import JWKSUnavailable
from authn.permissions import APPROVE
from authn.services import user_sync_from_claims
from timesheets.services import manager_admin_access_grant, manager_admin_access_revoke

logger = logging.getLogger(__name__)

CALLBACK_URL_NAME = "admin_sso_callback"


def callback_url() -> str:
    return settings.PUBLIC_URL + reverse(CALLBACK_URL_NAME)


class AdminSSOLogin(OIDCAuthenticationRequestView):
    """GET /admin/sso/login/: redirects to the issuer's /authorize."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The parent reads fixed endpoints from settings; ours come from the issuer, per request.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.ADMIN_OIDC_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponseRedirect:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = issuer_endpoints().authorization_endpoint
        except DiscoveryUnavailable:
            return HttpResponseRedirect(reverse("admin:login") + "?sso=unavailable")
        return super().get(request)

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        # Overrides the parent's Host-derived redirect_uri; asks for the API's audience so the
        # access token is a JWT carrying the API's scopes (Auth0 returns an opaque one otherwise).
        return {"redirect_uri": callback_url(), "audience": settings.AUTH0_AUDIENCE}


class AdminSSOCallback(OIDCAuthenticationCallbackView):
    """GET /admin/sso/callback/: the issuer redirects here with `code` and `state`."""

    @property
    def failure_url(self) -> str:
        return reverse("admin:login") + "?sso=denied"

    @property
    def success_url(self) -> str:
        next_url = self.request.session.get("oidc_login_next")
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
            return next_url
        return reverse("admin:index")


class AdminOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the admin callback; every other sign-in passes through untouched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No network here: Django builds a backend on every authenticate() call.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.ADMIN_OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.ADMIN_OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.OIDC_OP_JWKS_ENDPOINT = ""
        self.OIDC_OP_TOKEN_ENDPOINT = ""
        self.OIDC_OP_USER_ENDPOINT = ""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or not settings.ADMIN_SSO or request.path != reverse(CALLBACK_URL_NAME):
            return None
        try:
            endpoints = issuer_endpoints()
            self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token_endpoint
            self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo_endpoint
            self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks_uri
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, DiscoveryUnavailable, SuspiciousOperation, APIException) as exc:
            # The reason, never the tokens.
            logger.warning("admin sign-in through the issuer failed: %s", type(exc).__name__)
            return None

    def get_token(self, payload: dict[str, Any]) -> dict[str, Any]:
        payload["redirect_uri"] = callback_url()  # the one sent to /authorize, not the Host header's
        return super().get_token(payload)

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        kid = jwt.get_unverified_header(token).get("kid")
        try:
            key = jwks_cache().get_key(kid) if isinstance(kid, str) else None
        except (JWKSUnavailable, DiscoveryUnavailable):
            key = None
        if key is None:
            raise SuspiciousOperation("The ID token's signing key is unknown.")
        return key

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The ID token, checked for signature, expiry, issuer and audience (this client)."""
        try:
            return jwt.decode(
                payload,
                key.key if isinstance(key, jwt.PyJWK) else key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.TOKEN_ISSUER,
                leeway=settings.JWT_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token rejected: {type(exc).__name__}") from None

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = validate_access_token(access_token)  # the API's own checks: issuer, audience, JWKS
        if claims["sub"] != payload.get("sub"):
            raise SuspiciousOperation("The access token and the ID token name different subjects.")
        manager = APPROVE in scopes_from_claims(claims)
        # Profile from the ID token (name, email) where the access token lacks it; `sub` decides who.
        profile = {key: payload[key] for key in ("email", "name") if isinstance(payload.get(key), str)}
        if not manager:
            existing = self.UserModel.objects.filter(sub=claims["sub"]).first()
            if existing is not None and existing.is_staff and not existing.is_superuser:
                manager_admin_access_revoke(user=existing)
            logger.info("admin sign-in refused for %s: token lacks %s", claims["sub"], APPROVE)
            return None
        user = user_sync_from_claims(claims={**profile, **claims})
        manager_admin_access_grant(user=user)
        return user


def login_url(next_url: str = "") -> str:
    base = reverse("admin_sso_login")
    return f"{base}?{urlencode({'next': next_url})}" if next_url else base


urlpatterns = [
    path("admin/sso/login/", AdminSSOLogin.as_view(), name="admin_sso_login"),
    path("admin/sso/callback/", AdminSSOCallback.as_view(), name=CALLBACK_URL_NAME),
]
