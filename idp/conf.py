"""Make django-oauth-toolkit read the issuer and the signing keys live.

DOT reads `OIDC_ISS_ENDPOINT`, `OIDC_RSA_PRIVATE_KEY` and
`OIDC_RSA_PRIVATE_KEYS_INACTIVE` from its settings object, which caches each
value at first use. Our issuer is `settings.TOKEN_ISSUER` (tests point it at a
live server) and our keys live in the database (every app process, and
`rotate_signing_key` run from a shell, must agree on them). So those three
attributes become properties; DOT's own JWKS view, discovery document, ID-token
signing and logout-hint checks then follow them without being rewritten.
"""

from __future__ import annotations

from django.conf import settings
from oauth2_provider.settings import OAuth2ProviderSettings, oauth2_settings

LIVE_ATTRIBUTES = ("OIDC_ISS_ENDPOINT", "OIDC_RSA_PRIVATE_KEY", "OIDC_RSA_PRIVATE_KEYS_INACTIVE")


class LiveOAuth2ProviderSettings(OAuth2ProviderSettings):
    @property
    def OIDC_ISS_ENDPOINT(self) -> str:
        return settings.TOKEN_ISSUER

    @property
    def OIDC_RSA_PRIVATE_KEY(self) -> str:
        from idp.keys import active_key

        return active_key().private_pem

    @property
    def OIDC_RSA_PRIVATE_KEYS_INACTIVE(self) -> list[str]:
        from idp.keys import retired_published_keys

        return [key.private_pem for key in retired_published_keys()]


def install() -> None:
    for name in LIVE_ATTRIBUTES:
        oauth2_settings.__dict__.pop(name, None)
        oauth2_settings._cached_attrs.discard(name)
    oauth2_settings.__class__ = LiveOAuth2ProviderSettings
