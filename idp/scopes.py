"""Which scopes exist and who may get which.

OpenID Connect's own scopes are always known; API scopes come from the
database. A person's API scopes are cut down to their roles' permissions, a
machine client's to its client grant for that API.
"""

from __future__ import annotations

from collections.abc import Iterable

from oauth2_provider.scopes import BaseScopes

from idp.models import Api, ApiScope, ClientGrant

OIDC_SCOPES = {
    "openid": "Sign you in",
    "profile": "Your name and picture",
    "email": "Your email address",
    "offline_access": "Stay signed in (refresh tokens)",
}


class ApiScopes(BaseScopes):
    """DOT's scopes backend: the OIDC scopes plus every API's scopes."""

    def get_all_scopes(self) -> dict[str, str]:
        scopes = dict(OIDC_SCOPES)
        for value, description in ApiScope.objects.values_list("value", "description"):
            scopes.setdefault(value, description or value)
        return scopes

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return list(self.get_all_scopes())

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return ["openid"]


def api_scope_values(api: Api) -> set[str]:
    return set(api.scopes.values_list("value", flat=True))


def user_permissions(user, api: Api) -> set[str]:
    """The API's scopes the user's roles grant."""
    return set(ApiScope.objects.filter(api=api, roles__users=user).values_list("value", flat=True).distinct())


def grant_scopes(application, api: Api) -> set[str] | None:
    """The scopes the application's client grant for `api` allows; None when it has no grant."""
    grant = ClientGrant.objects.filter(application=application, api=api).first()
    if grant is None:
        return None
    return set(grant.scopes.values_list("value", flat=True))


def scopes_for_user(requested: Iterable[str], *, user, api: Api | None) -> list[str]:
    """The requested scopes a person may have: OIDC scopes, and API scopes their roles allow.

    Without an API (no audience) only OIDC scopes remain; offline_access only
    when the API allows offline access. Order is kept; duplicates dropped.
    """
    allowed = {"openid", "profile", "email"}
    if api is not None:
        allowed |= user_permissions(user, api)
        if api.allow_offline_access:
            allowed.add("offline_access")
    result: list[str] = []
    for scope in requested:
        if scope in allowed and scope not in result:
            result.append(scope)
    return result
