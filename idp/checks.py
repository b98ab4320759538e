"""System checks for the embedded issuer, in the manner of django-oauth-toolkit's own.

- idp.E001 (always): the live-settings swap in idp/conf.py is in effect. It relies on
  DOT's private caching (`_cached_attrs`); if a DOT upgrade or a later `install()`
  undid it, DOT would sign with a key and name an issuer read once at start-up.
- idp.W001-W004 (embedded issuer, `database` tag): the tenant the app needs exists:
  the API named by AUTH0_AUDIENCE, the PWA's and Swagger UI's applications, and an
  active signing key. These read the database, so Django runs them only when asked
  for a database (`manage.py migrate`, `manage.py check --database default`), and
  they say nothing while the tables are not there yet (before the first migrate).
"""

from __future__ import annotations

import inspect
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections, router
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from idp import conf
from idp.models import Api, SigningKey

RUN_DEMO_TENANT = "Run `manage.py demo_tenant` (as `make run` does), or create it in the admin."


@checks.register
def live_settings_installed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """idp.E001: DOT reads the issuer and the signing keys live, through idp/conf.py's properties."""
    problems = []
    if not isinstance(oauth2_settings, conf.LiveOAuth2ProviderSettings):
        problems.append(f"oauth2_settings is a {type(oauth2_settings).__name__}, not LiveOAuth2ProviderSettings")
    else:
        for name in conf.LIVE_ATTRIBUTES:
            if not isinstance(inspect.getattr_static(oauth2_settings, name), property):
                problems.append(f"{name} is a fixed value, not read live")
        if oauth2_settings.OIDC_ISS_ENDPOINT != settings.TOKEN_ISSUER:
            problems.append(
                f"DOT's issuer is {oauth2_settings.OIDC_ISS_ENDPOINT!r}, the app's is {settings.TOKEN_ISSUER!r}"
            )
    if not problems:
        return []
    return [
        checks.Error(
            "django-oauth-toolkit does not read the issuer and signing keys live: " + "; ".join(problems) + ".",
            hint="idp.conf.install() must run in IdpConfig.ready(); after a DOT upgrade, check that "
            "OAuth2ProviderSettings still caches values per attribute (idp/conf.py).",
            obj="idp.conf",
            id="idp.E001",
        )
    ]


def _tables_exist(alias: str, *models: Any) -> bool:
    existing = set(connections[alias].introspection.table_names())
    return all(model._meta.db_table in existing for model in models)


@checks.register(checks.Tags.database)
def embedded_tenant_complete(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[checks.Warning]:
    """idp.W001-W004: with the embedded issuer, the API, the two first-party apps and a signing key exist."""
    if not settings.EMBEDDED_IDP or not databases:
        return []
    application_model = get_application_model()
    alias = router.db_for_read(Api)
    if alias not in databases:
        return []
    try:
        if not _tables_exist(alias, Api, SigningKey, application_model):
            return []  # not migrated yet: Django reports unapplied migrations itself
        api_exists = Api.objects.using(alias).filter(identifier=settings.AUTH0_AUDIENCE).exists()
        client_ids = set(
            application_model.objects.using(alias)
            .filter(client_id__in=[settings.PWA_CLIENT_ID, settings.SWAGGER_UI_CLIENT_ID])
            .values_list("client_id", flat=True)
        )
        key_exists = SigningKey.objects.using(alias).filter(active=True).exists()
    except DatabaseError as exc:
        return [
            checks.Warning(
                f"Could not read the embedded issuer's tenant: {type(exc).__name__}.",
                hint="Check DATABASE_URL and that the database answers.",
                id="idp.W000",
            )
        ]

    warnings = []
    if not api_exists:
        warnings.append(
            checks.Warning(
                f"No API has the identifier AUTH0_AUDIENCE={settings.AUTH0_AUDIENCE!r}: "
                "every token request for it is refused.",
                hint=RUN_DEMO_TENANT,
                id="idp.W001",
            )
        )
    for client_id, setting, who, check_id in (
        (settings.PWA_CLIENT_ID, "PWA_CLIENT_ID", "the phone app", "idp.W002"),
        (settings.SWAGGER_UI_CLIENT_ID, "SWAGGER_UI_CLIENT_ID", "Swagger UI's Authorize", "idp.W003"),
    ):
        if client_id not in client_ids:
            warnings.append(
                checks.Warning(
                    f"No application has the client id {setting}={client_id!r}: {who} cannot sign in.",
                    hint=RUN_DEMO_TENANT,
                    id=check_id,
                )
            )
    if not key_exists:
        warnings.append(
            checks.Warning(
                "The embedded issuer has no active signing key: the first token request will make one, "
                "and JWKS is empty until then.",
                hint="Run `manage.py rotate_signing_key` or `manage.py demo_tenant`.",
                id="idp.W004",
            )
        )
    return warnings
