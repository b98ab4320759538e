"""Sign-in throttling, shared by every app process through the database.

Failures are counted per account and per client address over a sliding
window. Past either limit the login form refuses to check any password (so
guessing gains nothing) until old failures leave the window.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from idp.models import LoginFailure


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the entry IDP_PROXY_COUNT trusted proxies put in X-Forwarded-For."""
    proxies = settings.IDP_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 (a value, not a bind address)


def _account_key(username: str) -> str:
    return username.strip().lower()[:150]


def _window_start():
    return timezone.now() - timedelta(seconds=settings.IDP_LOGIN_FAILURE_WINDOW_SECONDS)


def is_throttled(*, username: str, address: str) -> bool:
    since = _window_start()
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if recent.filter(username=_account_key(username)).count() >= settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT:
        return True
    return recent.filter(address=address).count() >= settings.IDP_LOGIN_MAX_FAILURES_PER_ADDRESS


def record_failure(*, username: str, address: str) -> None:
    LoginFailure.objects.filter(created_at__lt=_window_start()).delete()
    LoginFailure.objects.create(username=_account_key(username), address=address)


def clear_failures(*, username: str) -> None:
    LoginFailure.objects.filter(username=_account_key(username)).delete()
