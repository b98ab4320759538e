"""Which browser origins may call the embedded issuer (django-cors-headers' `check_request_enabled` hook).

As at Auth0, an origin listed in some application's Allowed Web Origins may call
/oauth/token, /oauth/revoke and /userinfo from JavaScript; a preflight cannot
name its client, so the union of all applications' origins decides. The
discovery document and the JWKS are public metadata and open to every origin,
as an OIDC client library on any page must be able to read them (no credentials
are ever allowed, so nothing a cookie protects is exposed).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest

from idp.models import ApplicationProfile
from idp.origins import canonical_origins, normalise_origin

PUBLIC_METADATA = re.compile(r"^/\.well-known/(?:openid-configuration|jwks\.json)$")


def web_origin_registered(origin: str) -> bool:
    """Whether `origin` is one of any application's Allowed Web Origins."""
    wanted = normalise_origin(origin)
    if wanted is None:
        return False
    host = wanted.split("://", 1)[1]
    candidates = ApplicationProfile.objects.filter(allowed_web_origins__icontains=host).values_list(
        "allowed_web_origins", flat=True
    )
    return any(wanted in canonical_origins(text) for text in candidates)


def issuer_cors_allowed(sender, request: HttpRequest, **kwargs) -> bool:
    if not settings.EMBEDDED_IDP or not re.match(settings.ISSUER_CORS_URLS_REGEX, request.path_info):
        return False
    if PUBLIC_METADATA.match(request.path_info):
        return True
    origin = request.headers.get("origin", "")
    return bool(origin) and web_origin_registered(origin)
