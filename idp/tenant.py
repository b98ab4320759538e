"""Idempotent set-up of the tenant's parts: the API, applications, roles, users.

The product's `demo_tenant` command composes these; they are plain functions so the admin or other
commands can reuse them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from idp.models import Api, ApiScope, ApplicationProfile, AppType, ClientGrant, Role
from idp.origins import origin_of

Application = get_application_model()
User = get_user_model()


def api_ensure(*, identifier: str, name: str, scopes: dict[str, str], allow_offline_access: bool) -> Api:
    """The API with at least these scopes. Settings an admin changed later are left alone."""
    api, _ = Api.objects.get_or_create(
        identifier=identifier, defaults={"name": name, "allow_offline_access": allow_offline_access}
    )
    for value, description in scopes.items():
        ApiScope.objects.get_or_create(api=api, value=value, defaults={"description": description})
    return api


def role_ensure(*, name: str, description: str, api: Api, permissions: list[str]) -> Role:
    role, _ = Role.objects.get_or_create(name=name, defaults={"description": description})
    role.permissions.add(*ApiScope.objects.filter(api=api, value__in=permissions))
    return role


def _profile_ensure(application, app_type: str, web_origins: list[str] | None = None) -> None:
    defaults = {"app_type": app_type}
    if web_origins is not None:
        defaults["allowed_web_origins"] = " ".join(web_origins)
    ApplicationProfile.objects.update_or_create(application=application, defaults=defaults)


def origins_of(urls: list[str]) -> list[str]:
    """The distinct origins of these URLs, in order (what Auth0 allows for CORS by default: the callbacks')."""
    found = [origin_of(url) for url in urls]
    return list(dict.fromkeys(origin for origin in found if origin))


def public_app_ensure(
    *,
    client_id: str,
    name: str,
    app_type: str,
    redirect_uris: list[str],
    logout_urls: list[str],
    web_origins: list[str] | None = None,
):
    """A Single Page or Native application: public, Authorization Code + PKCE, exactly these URLs.

    `web_origins` are its Allowed Web Origins; by default the origins of its redirect URIs.
    """
    application, _ = Application.objects.update_or_create(
        client_id=client_id,
        defaults={
            "name": name,
            "client_type": Application.CLIENT_PUBLIC,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": " ".join(redirect_uris),
            "post_logout_redirect_uris": " ".join(logout_urls),
            "algorithm": Application.RS256_ALGORITHM,
            # First-party app: no consent screen, as for Auth0's first-party applications.
            "skip_authorization": True,
            "client_secret": "",
        },
    )
    _profile_ensure(application, app_type, web_origins if web_origins is not None else origins_of(redirect_uris))
    return application


def machine_app_ensure(*, client_id: str, name: str, api: Api, scopes: list[str]) -> tuple[object, str]:
    """A Machine to Machine application granted `scopes` on `api`, with a NEW secret (returned once)."""
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application.objects.filter(client_id=client_id).first() or Application(client_id=client_id)
        application.name = name
        application.client_type = Application.CLIENT_CONFIDENTIAL
        application.authorization_grant_type = Application.GRANT_CLIENT_CREDENTIALS
        application.algorithm = Application.NO_ALGORITHM
        application.hash_client_secret = True
        application.client_secret = secret  # hashed when saved
        application.save()
        _profile_ensure(application, AppType.M2M)
        grant, _ = ClientGrant.objects.get_or_create(application=application, api=api)
        grant.scopes.add(*ApiScope.objects.filter(api=api, value__in=scopes))
    return application, secret


@dataclass
class DemoUser:
    username: str
    email: str
    name: str
    employee_number: str
    roles: list[str]


def new_password() -> str:
    """A readable random password (about 80 bits)."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def user_ensure_with_new_password(spec: DemoUser) -> tuple[object, str]:
    """The person `spec` describes, active, with a freshly generated password and the named roles."""
    password = new_password()
    with transaction.atomic():
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username)
        user.email = spec.email
        user.name = spec.name
        user.employee_number = spec.employee_number
        user.is_active = True
        user.set_password(password)
        user.save()
        for role in Role.objects.filter(name__in=spec.roles):
            role.users.add(user)
    return user, password
