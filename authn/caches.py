"""Per-process caches on the API's hot path: verified tokens and the users they map to.

Verifying an RS256 signature and looking up (or upserting) the user costs more
than the rest of a list request. Phones and batch clients send the same token
for its whole lifetime, so each process remembers:

- the claims of a token it verified, keyed by the SHA-256 of the whole token
  (another signature over the same claims is another key), bounded (LRU), and
  served only while the token is unexpired and already valid (`exp`, `nbf`
  against this clock; the uncached path decides the leeway window). The
  algorithm allow-list and the `kid` lookup still run on every request, and a hit
  must have been verified with the very key object the JWKS cache holds now, so
  a key that rotates out stops its tokens on the next key-set refresh;
- the User row for a `sub`, for USER_CACHE_SECONDS: a deactivated account keeps
  working at most that long in another process, and not at all in the process
  that saved the change (a save or delete of a User drops its entry).

Both are cleared when a setting they depend on changes.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save

TOKEN_CACHE_MAX_ENTRIES = 4096
USER_CACHE_MAX_ENTRIES = 4096
USER_CACHE_SECONDS = 5.0

# The caches' clock (tests move it). Token times are Unix seconds, as in `exp`.
clock = time.time


@dataclass(frozen=True)
class VerifiedToken:
    claims: dict[str, Any]
    alg: str
    kid: str | None
    key: object  # the key object the signature was verified with


class VerifiedTokens:
    """Bounded LRU of sha256(token) -> VerifiedToken."""

    def __init__(self, max_entries: int = TOKEN_CACHE_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, VerifiedToken] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> VerifiedToken | None:
        """What was verified about this exact token, if it is within its validity now.

        The caller still checks the algorithm against the allow-list and that the
        key is the one the issuer publishes now.
        """
        digest = self._key(token)
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if not _not_before(entry.claims) <= clock() < entry.claims["exp"]:
                # Expired or not yet valid by this clock: the full check decides (and applies the leeway).
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
            return entry

    def put(self, token: str, entry: VerifiedToken) -> None:
        claims = entry.claims
        if not all(_is_number(claims.get(name, 0)) for name in ("exp", "nbf", "iat")) or "exp" not in claims:
            return
        digest = self._key(token)
        with self._lock:
            self._entries[digest] = entry
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _not_before(claims: dict[str, Any]) -> float:
    """The earliest time this cache serves the token: its `nbf` and `iat` (the uncached path allows leeway)."""
    return max(claims.get("nbf", 0), claims.get("iat", 0))


def _copy_of(instance: Any) -> Any:
    """What copy.copy makes of a model instance (its __getstate__ into a new one), without pickle's detour."""
    state = instance.__getstate__()
    for name, value in state.pop("_memoryview_attrs", ()):
        state[name] = memoryview(value)
    clone = instance.__class__.__new__(instance.__class__)
    clone.__dict__.update(state)
    return clone


class UsersBySubject:
    """sub -> (User, the profile claims it was synced from, when it was read), for USER_CACHE_SECONDS."""

    def __init__(self, max_entries: int = USER_CACHE_MAX_ENTRIES, seconds: float = USER_CACHE_SECONDS) -> None:
        self.max_entries = max_entries
        self.seconds = seconds
        self._entries: OrderedDict[str, tuple[Any, tuple[str, str], float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sub: str, *, profile: tuple[str, str]) -> Any | None:
        """A private copy of the cached User, if it was read recently from a token with the same profile."""
        with self._lock:
            entry = self._entries.get(sub)
            if entry is None:
                return None
            user, synced_profile, read_at = entry
            if synced_profile != profile or not 0 <= clock() - read_at < self.seconds:
                del self._entries[sub]
                return None
            self._entries.move_to_end(sub)
        # Each request gets its own instance: views may set attributes on request.user.
        return _copy_of(user)

    def put(self, sub: str, user: Any, *, profile: tuple[str, str]) -> None:
        with self._lock:
            self._entries[sub] = (_copy_of(user), profile, clock())
            self._entries.move_to_end(sub)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, sub: str) -> None:
        with self._lock:
            self._entries.pop(sub, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


verified_tokens = VerifiedTokens()
users_by_subject = UsersBySubject()


def clear() -> None:
    verified_tokens.clear()
    users_by_subject.clear()


_TOKEN_SETTINGS = {
    "AUTH0_DOMAIN",
    "OIDC_ISSUER",
    "TOKEN_ISSUER",
    "PUBLIC_URL",
    "AUTH0_AUDIENCE",
    "AUTH0_EMAIL_CLAIM",
    "JWT_ALGORITHMS",
    "JWT_HS256_SECRET",
    "JWT_LEEWAY_SECONDS",
    "JWKS_CACHE_SECONDS",
    "JWKS_MIN_REFETCH_SECONDS",
}


def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    if setting in _TOKEN_SETTINGS:
        clear()


def _on_user_changed(*, instance: Any, **kwargs: object) -> None:
    sub = getattr(instance, "sub", None)
    if sub:
        users_by_subject.forget(sub)


setting_changed.connect(_on_setting_changed)
post_save.connect(_on_user_changed, sender="authn.User", dispatch_uid="authn.caches.user_saved")
post_delete.connect(_on_user_changed, sender="authn.User", dispatch_uid="authn.caches.user_deleted")
