"""Throttling of every secret check (passwords and client secrets), shared by all app processes through the database.

Failures are counted per account (or per client id) and per client address over a
sliding window. An attempt first *reserves* a failure row, in one transaction that
holds a lock on its keys, and only then is the secret checked; success takes the
reservation back. So counting and recording are one atomic step: N parallel guesses
can never check more than the limit, and past either limit nothing is checked (so
guessing gains nothing) until old failures leave the window.

The lock: PostgreSQL transaction-scoped advisory locks, one per key; SQLite's
transactions start with BEGIN IMMEDIATE (config/settings.py), which takes the
database's write lock for the whole transaction.

Every password check goes through `ThrottledModelBackend` (AUTHENTICATION_BACKENDS):
the sign-in page at /authorize and Django's admin sign-in alike, whichever issuer
the API trusts (idp's tables always exist: idp is always installed).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from idp.models import LoginFailure

PASSWORD = LoginFailure.Kind.PASSWORD
CLIENT_SECRET = LoginFailure.Kind.CLIENT_SECRET
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 (a value, not a bind address)


def client_address(request: HttpRequest | None) -> str:
    """The caller's address: REMOTE_ADDR, or the entry IDP_PROXY_COUNT trusted proxies put in X-Forwarded-For."""
    if request is None:
        return UNKNOWN_ADDRESS
    proxies = settings.IDP_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies and _is_ip_address(forwarded[-proxies]):
            return forwarded[-proxies]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_ip_address(remote) else UNKNOWN_ADDRESS


def _is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _subject_key(subject: str) -> str:
    return subject.strip().lower()[:150]


def _window_start():
    return timezone.now() - timedelta(seconds=settings.IDP_LOGIN_FAILURE_WINDOW_SECONDS)


def _lock(keys: list[str]) -> None:
    """Hold a lock on each key until the transaction ends (always in the same order: no deadlock)."""
    if connection.vendor != "postgresql":
        return  # SQLite: the transaction already holds the database's write lock (BEGIN IMMEDIATE).
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


@dataclass(frozen=True)
class Attempt:
    """A reserved failure: it counts until `succeeded` takes it back."""

    failure_id: int
    kind: str
    subject: str


def begin_attempt(*, kind: str, subject: str, address: str) -> Attempt | None:
    """Reserve one failure for `subject` (username or client id) from `address`; None when a limit is reached."""
    subject = _subject_key(subject)
    per_subject = (
        settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT if kind == PASSWORD else settings.IDP_CLIENT_MAX_FAILURES_PER_CLIENT
    )
    with transaction.atomic():
        _lock([f"{kind}:{subject}", f"address:{address}"])
        recent = LoginFailure.objects.filter(created_at__gte=_window_start())
        if recent.filter(kind=kind, username=subject).count() >= per_subject:
            return None
        if address != UNKNOWN_ADDRESS and (
            recent.filter(address=address).count() >= settings.IDP_LOGIN_MAX_FAILURES_PER_ADDRESS
        ):
            return None
        failure = LoginFailure.objects.create(kind=kind, username=subject, address=address)
    _forget_old_failures()
    return Attempt(failure_id=failure.pk, kind=kind, subject=subject)


def succeeded(attempt: Attempt) -> None:
    """The secret was right: the reservation is no failure.

    A person's successful sign-in also clears their account's failures; a client's
    does not (a busy client signing in all day would otherwise reset an attacker's count).
    """
    if attempt.kind == PASSWORD:
        LoginFailure.objects.filter(kind=PASSWORD, username=attempt.subject).delete()
    else:
        LoginFailure.objects.filter(pk=attempt.failure_id).delete()


def _forget_old_failures() -> None:
    try:
        with transaction.atomic():
            LoginFailure.objects.filter(created_at__lt=_window_start()).delete()
    except DatabaseError:
        pass  # Housekeeping only (e.g. a deadlock with a concurrent clean-up): the next attempt tries again.


class ThrottledModelBackend(ModelBackend):
    """Django's username/password check behind the sign-in limits.

    Past a limit it refuses without checking the password (PermissionDenied stops
    `authenticate()` from trying other backends) and marks the request
    `idp_throttled` so the page can answer 429.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        attempt = begin_attempt(kind=PASSWORD, subject=str(username), address=client_address(request))
        if attempt is None:
            if request is not None:
                request.idp_throttled = True
            raise PermissionDenied("Too many failed sign-in attempts.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            succeeded(attempt)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
