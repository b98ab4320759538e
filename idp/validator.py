"""The parts of the OAuth rules django-oauth-toolkit leaves to the application.

- `audience` (Auth0's name for the API) picks the API; an unknown one is refused.
- Scopes: a person's are cut down to their roles (extra ones are dropped, as
  Auth0 does with RBAC); a machine client's must lie within its client grant.
- The API travels with the authorization code and the refresh token as DOT's
  RFC 8707 `resource`, so refreshed tokens are for the same API.
- A second use of an authorization code revokes what the first one obtained.
- ID-token and userinfo claims use the account's `sub`, like the access token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from datetime import timedelta
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from jwcrypto import jws
from jwcrypto.common import JWException
from oauth2_provider.models import (
    AccessToken,
    Grant,
    RefreshToken,
    revoke_access_token,
)
from oauth2_provider.oauth2_validators import OAuth2Validator, validate_resource_as_url_prefix
from oauthlib.oauth2.rfc6749 import errors

from idp import keys
from idp.models import Api, RedeemedCode
from idp.scopes import ApiScopes, grant_scopes, scopes_for_user

# How long a redeemed code is remembered (it expires after a minute anyway).
REDEEMED_CODE_MEMORY = timedelta(days=1)


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def _same_endpoint(a, b) -> bool:
    try:
        return (a.scheme, a.hostname, a.port, a.path) == (b.scheme, b.hostname, b.port, b.path)
    except ValueError:  # a port out of range
        return False


class AccessDenied(errors.OAuth2Error):
    """Auth0's answer for an unknown API or a client without a grant for it."""

    error = "access_denied"
    status_code = 403


def _checksum(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def allow_userinfo_or_resource(request_uri: str, audiences: list[str]) -> bool:
    """DOT's RFC 8707 check for its own protected endpoints.

    Tokens carry the API as their resource, yet the one DOT endpoint we serve is
    /userinfo (Auth0 puts `<issuer>userinfo` in such tokens' `aud`); oauthlib
    still requires the `openid` scope there.
    """
    try:
        userinfo_path = reverse("oauth2_provider:user-info")
    except NoReverseMatch:
        userinfo_path = None
    if userinfo_path is not None and urlsplit(request_uri).path == userinfo_path:
        return True
    return validate_resource_as_url_prefix(request_uri, audiences)


def default_picture(user) -> str:
    """An initials avatar as a data: URL (Auth0 falls back to a generated avatar too); works offline."""
    initials = "".join(word[0] for word in user.display_name.split()[:2] if word[:1].isalnum()).upper() or "?"
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='64' height='64'>"
        "<rect width='64' height='64' rx='32' fill='#1d4ed8'/>"
        "<text x='32' y='41' font-family='sans-serif' font-size='24' fill='#fff' text-anchor='middle'>"
        f"{initials}</text></svg>"
    )
    return "data:image/svg+xml," + quote(svg)


def _revoke_family_access_tokens(family) -> None:
    """Delete every access token minted in a refresh-token family (the code's first one included)."""
    first = RedeemedCode.objects.filter(refresh_token_family=family).values_list("access_token_checksum", flat=True)
    AccessToken.objects.filter(source_refresh_token__token_family=family).delete()
    AccessToken.objects.filter(token_checksum__in=[checksum for checksum in first if checksum]).delete()


class Auth0CompatibleValidator(OAuth2Validator):
    # --- which API ------------------------------------------------------------------------------

    def _api_from_audience(self, request, *, required: bool) -> Api | None:
        if hasattr(request, "idp_api"):
            return request.idp_api
        audience = getattr(request, "audience", None) or getattr(request, "resource", None)
        if isinstance(audience, list):
            audience = audience[0] if len(audience) == 1 else None
        if not audience:
            if required:
                raise AccessDenied(
                    description="No audience parameter was provided: name the API (its identifier).",
                    request=request,
                )
            request.idp_api = None
            return None
        api = Api.objects.filter(identifier=audience).first()
        if api is None:
            raise AccessDenied(description=f"Service not found: {audience}", request=request)
        request.idp_api = api
        return api

    @staticmethod
    def _api_from_resource(resource: list[str] | None) -> Api | None:
        if not resource:
            return None
        return Api.objects.filter(identifier=resource[0]).first()

    # --- scopes -------------------------------------------------------------------------------------

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        if request.grant_type == "client_credentials":
            api = self._api_from_audience(request, required=True)
            allowed = self._client_grant_scopes(request, api)
            return sorted(allowed)
        return ["openid"]

    def _client_grant_scopes(self, request, api: Api) -> set[str]:
        allowed = grant_scopes(request.client, api)
        if allowed is None:
            raise AccessDenied(description=f'Client is not authorized to access "{api.identifier}".', request=request)
        return allowed

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if request.grant_type == "client_credentials":
            api = self._api_from_audience(request, required=True)
            return set(scopes) <= self._client_grant_scopes(request, api)
        if request.response_type:
            # /authorize: refuse an unknown audience and scopes no API defines (invalid_scope) now;
            # a person's known scopes are cut to their roles when the code is saved (dropped, not refused).
            self._api_from_audience(request, required=False)
            return set(scopes) <= set(ApiScopes().get_all_scopes())
        return True

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        api = self._api_from_audience(request, required=False)
        request.scopes = scopes_for_user(request.scopes or [], user=request.user, api=api)
        request.resource = [api.identifier] if api is not None else []
        super().save_authorization_code(client_id, code, request, *args, **kwargs)

    # --- redirect URIs ----------------------------------------------------------------------------------

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        # No default: /authorize must name its redirect_uri (OIDC Core 3.1.2.1), so the code
        # exchange must name it too (RFC 6749 4.1.3); oauthlib refuses either without one.
        return None

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        if not super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs):
            return False
        target = urlsplit(redirect_uri)
        if target.hostname not in LOOPBACK_HOSTS:
            # With an https issuer only https redirect URIs, loopback ones aside (native apps, RFC 8252).
            return target.scheme != "http" or not settings.PUBLIC_URL.startswith("https:")
        # DOT lets a loopback redirect URI use any port (RFC 8252 7.3, for native apps); Auth0
        # compares it whole, and so do we: another local process must not receive the code.
        return any(_same_endpoint(target, urlsplit(allowed)) for allowed in request.client.redirect_uris.split())

    # --- authorization code -------------------------------------------------------------------------

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        # Lock the code's row: two concurrent exchanges of one code run one after the other.
        grant = Grant.objects.select_for_update().filter(code=code, application=client).first()
        if grant is None:
            self._revoke_tokens_of_redeemed_code(code, client)
            return False
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        if not request.user.is_active:
            return False
        request.idp_api = self._api_from_resource(grant.resource)
        return True

    def _revoke_tokens_of_redeemed_code(self, code: str, client) -> None:
        redeemed = RedeemedCode.objects.filter(code_checksum=_checksum(code), application=client).first()
        if redeemed is None:
            return
        access_token = AccessToken.objects.filter(token_checksum=redeemed.access_token_checksum).first()
        if access_token is not None:
            revoke_access_token(access_token)
        if redeemed.refresh_token_family is not None:
            RefreshToken.revoke_family(redeemed.refresh_token_family)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        previous = getattr(request, "refresh_token_instance", None)
        if request.grant_type == "refresh_token" and isinstance(previous, RefreshToken):
            # Rotation retires the refresh token, not the access token issued with it: detached,
            # DOT's revoke() on rotation leaves it, and it stays valid at /userinfo until it
            # expires, as at the API and at Auth0. Deliberate revocation still reaches it
            # (_revoke_family_access_tokens).
            RefreshToken.objects.filter(pk=previous.pk, revoked__isnull=True).update(access_token=None)
            previous.access_token = None
        super()._save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type == "authorization_code":
            checksum = _checksum(token["access_token"])
            family = (
                RefreshToken.objects.filter(access_token__token_checksum=checksum)
                .values_list("token_family", flat=True)
                .first()
            )
            request.idp_issued = (checksum, family)

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        checksum, family = getattr(request, "idp_issued", ("", None))
        RedeemedCode.objects.filter(created_at__lt=timezone.now() - REDEEMED_CODE_MEMORY).delete()
        RedeemedCode.objects.create(
            code_checksum=_checksum(code),
            application=request.client,
            access_token_checksum=checksum,
            refresh_token_family=family,
        )

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        # RFC 7009 2.1: revoking a refresh token also invalidates the access tokens of its grant.
        if getattr(request.client, "pk", None) is not None:
            refresh = RefreshToken.objects.filter(
                token_checksum=_checksum(token), application=request.client, revoked__isnull=True
            ).first()
            if refresh is not None and refresh.token_family is not None:
                _revoke_family_access_tokens(refresh.token_family)
        super().revoke_token(token, token_type_hint, request, *args, **kwargs)

    # --- refresh tokens -------------------------------------------------------------------------------

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            # Reuse of a rotated or revoked token: DOT revoked its family; revoke the family's
            # access tokens too, including those rotation detached from their refresh token.
            presented = RefreshToken.objects.filter(token_checksum=_checksum(refresh_token), application=client).first()
            if presented is not None and presented.token_family is not None:
                family = presented.token_family
                if not RefreshToken.objects.filter(token_family=family, revoked__isnull=True).exists():
                    _revoke_family_access_tokens(family)
            return False
        if not request.user.is_active:
            return False
        request.idp_api = self._api_from_resource(request.refresh_token_instance.resource)
        return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        # Re-apply the roles: a permission taken away is not refreshed back.
        original = super().get_original_scopes(refresh_token, request, *args, **kwargs)
        original = original.split() if isinstance(original, str) else list(original)
        return scopes_for_user(original, user=request.user, api=getattr(request, "idp_api", None))

    # --- prompt=none -------------------------------------------------------------------------------

    def validate_silent_login(self, request) -> bool:
        # The view decides: DOT's AuthorizationView answers an anonymous prompt=none
        # with error=login_required before any code is issued.
        return True

    def validate_silent_authorization(self, request) -> bool:
        # Silent only for first-party apps, which never show a consent screen.
        return bool(request.client and request.client.skip_authorization)

    # --- OpenID Connect claims ---------------------------------------------------------------------------

    def get_additional_claims(self, request):
        user = request.user
        return {
            "sub": user.sub,
            "name": user.display_name,
            "nickname": user.username,
            "email": user.email,
            "email_verified": bool(user.email),
            "picture": user.picture or default_picture(user),
            # Auth0 sends an ISO 8601 string. Profile edits are not tracked, so this is when the account was made.
            "updated_at": user.date_joined.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }

    def get_discovery_claims(self, request):
        return ["sub", "name", "nickname", "email", "email_verified", "picture", "updated_at"]

    def _get_key_for_token(self, token):
        """The published key named by the token's `kid` (an ID token may predate a rotation)."""
        try:
            unverified = jws.JWS()
            unverified.deserialize(token)
            header = unverified.jose_header
        except (JWException, ValueError, TypeError):
            return None
        kid = header.get("kid") if isinstance(header, dict) else None
        for signing_key in [keys.active_key(), *keys.retired_published_keys()]:
            if signing_key.kid == kid:
                return keys.jwk_for(signing_key)
        return None
