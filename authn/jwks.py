"""A JSON Web Key Set cache for the API's token validation.

Keys are fetched over HTTP and kept by `kid`. The set is refreshed when it is
older than `cache_seconds`, and on an unknown `kid` (a rotated key) at most
once every `min_refetch_seconds`, so a flood of tokens with made-up `kid`s
cannot turn into a flood of requests to the issuer. When the issuer cannot be
reached the keys already known keep working.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass, field

import jwt
from jwt.exceptions import PyJWKError

logger = logging.getLogger(__name__)


class JWKSUnavailable(Exception):
    """No key set has ever been fetched and the endpoint does not answer."""


@dataclass
class JWKSCache:
    url: str
    cache_seconds: float = 600
    min_refetch_seconds: float = 15
    timeout_seconds: float = 5
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict, init=False)
    _fetched_at: float | None = field(default=None, init=False)
    _attempted_at: float | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    fetch_count: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise ValueError(f"JWKS URL must be http(s): {self.url!r}")

    def get_key(self, kid: str) -> jwt.PyJWK | None:
        """The key named `kid`, or None when the issuer does not publish it."""
        with self._lock:
            if self._is_stale():
                self._refresh()
            key = self._keys.get(kid)
            if key is None and self._may_refetch():
                self._refresh()
                key = self._keys.get(kid)
            if key is None and self._fetched_at is None:
                raise JWKSUnavailable(f"could not fetch the issuer's keys from {self.url}")
            return key

    def _is_stale(self) -> bool:
        if self._fetched_at is None:
            return self._may_refetch()
        return time.monotonic() - self._fetched_at > self.cache_seconds and self._may_refetch()

    def _may_refetch(self) -> bool:
        return self._attempted_at is None or time.monotonic() - self._attempted_at >= self.min_refetch_seconds

    def _refresh(self) -> None:
        self._attempted_at = time.monotonic()
        try:
            keys = self._fetch()
        except (OSError, ValueError) as exc:
            # Keep serving the keys we have; the issuer may be restarting.
            logger.warning("JWKS fetch from %s failed (%s); keeping %d cached keys", self.url, exc, len(self._keys))
            return
        self._keys = keys
        self._fetched_at = time.monotonic()

    def _fetch(self) -> dict[str, jwt.PyJWK]:
        self.fetch_count += 1
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked)
        with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
            document = json.loads(response.read(1_000_000))
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(jwk, dict) or not jwk.get("kid") or jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[jwk["kid"]] = jwt.PyJWK(jwk)
            except PyJWKError as exc:
                logger.warning("ignoring unusable key %s from %s: %s", jwk.get("kid"), self.url, exc)
        if not keys:
            raise ValueError("the key set holds no usable signing keys")
        return keys
