"""Which issuer the API trusts, and where its endpoints are.

Three modes, chosen by settings (config/settings.py): an Auth0 tenant
(`AUTH0_DOMAIN`), any OIDC provider (`OIDC_ISSUER`, endpoints from its discovery
document) or the embedded issuer at `PUBLIC_URL`. The embedded issuer is reached
exactly like an external one: by URL, never by importing idp/.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed

from authn.jwks import JWKSCache

logger = logging.getLogger(__name__)


class DiscoveryUnavailable(Exception):
    pass


@dataclass(frozen=True)
class IssuerEndpoints:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


def _fixed_endpoints(issuer: str, *, logout_path: str) -> IssuerEndpoints:
    base = issuer.rstrip("/")
    return IssuerEndpoints(
        issuer=issuer,
        authorization_endpoint=f"{base}/authorize",
        token_endpoint=f"{base}/oauth/token",
        userinfo_endpoint=f"{base}/userinfo",
        jwks_uri=f"{base}/.well-known/jwks.json",
        end_session_endpoint=f"{base}{logout_path}",
    )


_discovery_lock = threading.Lock()
_discovered: dict[str, IssuerEndpoints] = {}
_discovery_attempted: dict[str, float] = {}


def _discover(issuer: str) -> IssuerEndpoints:
    """Read the provider's discovery document once (retried at most every 15 s)."""
    with _discovery_lock:
        if issuer in _discovered:
            return _discovered[issuer]
        last = _discovery_attempted.get(issuer)
        if last is not None and time.monotonic() - last < settings.JWKS_MIN_REFETCH_SECONDS:
            raise DiscoveryUnavailable(f"discovery for {issuer} failed recently")
        _discovery_attempted[issuer] = time.monotonic()
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            with urllib.request.urlopen(url, timeout=settings.JWKS_FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
                doc = json.loads(response.read(1_000_000))
        except (OSError, ValueError) as exc:
            logger.warning("OIDC discovery at %s failed: %s", url, exc)
            raise DiscoveryUnavailable(str(exc)) from exc
        if not isinstance(doc, dict) or doc.get("issuer") != issuer or not doc.get("jwks_uri"):
            raise DiscoveryUnavailable(f"{url} does not describe issuer {issuer}")
        endpoints = IssuerEndpoints(
            issuer=issuer,
            authorization_endpoint=doc.get("authorization_endpoint", ""),
            token_endpoint=doc.get("token_endpoint", ""),
            userinfo_endpoint=doc.get("userinfo_endpoint", ""),
            jwks_uri=doc["jwks_uri"],
            end_session_endpoint=doc.get("end_session_endpoint", ""),
        )
        _discovered[issuer] = endpoints
        return endpoints


def issuer_endpoints() -> IssuerEndpoints:
    if settings.AUTH0_DOMAIN:
        return _fixed_endpoints(settings.TOKEN_ISSUER, logout_path="/v2/logout")
    if settings.OIDC_ISSUER:
        return _discover(settings.OIDC_ISSUER)
    return _fixed_endpoints(settings.TOKEN_ISSUER, logout_path="/oidc/logout")


@functools.cache
def _jwks_cache_for(url: str) -> JWKSCache:
    return JWKSCache(
        url=url,
        cache_seconds=settings.JWKS_CACHE_SECONDS,
        min_refetch_seconds=settings.JWKS_MIN_REFETCH_SECONDS,
        timeout_seconds=settings.JWKS_FETCH_TIMEOUT_SECONDS,
    )


def jwks_cache() -> JWKSCache:
    """The process-wide key cache for the configured issuer."""
    return _jwks_cache_for(issuer_endpoints().jwks_uri)


def reset_caches(**_: object) -> None:
    """Forget discovered endpoints and cached keys (tests change the issuer)."""
    _jwks_cache_for.cache_clear()
    with _discovery_lock:
        _discovered.clear()
        _discovery_attempted.clear()


def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    if setting in {
        "AUTH0_DOMAIN",
        "OIDC_ISSUER",
        "TOKEN_ISSUER",
        "PUBLIC_URL",
        "JWKS_CACHE_SECONDS",
        "JWKS_MIN_REFETCH_SECONDS",
    }:
        reset_caches()


setting_changed.connect(_on_setting_changed)
