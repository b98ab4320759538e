"""Client authentication at /oauth/token and /oauth/revoke: one method per request, failures throttled.

RFC 6749 2.3: a client uses one authentication method per request (DOT would try
HTTP Basic, then the body, and accept whichever matched). A presented secret is an
attempt under the same limits as passwords (idp/throttle.py): per client id and
per address; a 401 keeps its failure.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from idp import throttle
from idp.http import oauth_error


def _body_params(request: HttpRequest) -> dict[str, str]:
    params = getattr(request, "idp_json_params", None)
    if params is not None:
        return dict(params)
    return {key: request.POST.get(key, "") for key in request.POST}


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(client_id, client_secret) of an HTTP Basic Authorization header (RFC 6749 2.3.1), if any."""
    scheme, _, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def client_authentication(request: HttpRequest) -> tuple[str, bool] | HttpResponse:
    """(client_id, whether a secret was presented), or 400 when a client authenticates two ways at once."""
    basic = _basic_credentials(request)
    params = _body_params(request)
    if basic is not None:
        if "client_secret" in params:
            return oauth_error(
                "invalid_request",
                "Authenticate the client one way only: HTTP Basic or client_secret in the body, not both.",
            )
        return basic[0], True
    return params.get("client_id", ""), bool(params.get("client_secret"))


def too_many_attempts() -> JsonResponse:
    response = oauth_error(
        "too_many_attempts",
        "Too many failed client authentications. Wait a few minutes, then try again.",
        status=429,
    )
    response["Retry-After"] = str(settings.IDP_LOGIN_FAILURE_WINDOW_SECONDS)
    return response


def with_client_throttle(request: HttpRequest, exchange) -> HttpResponse:
    """Run `exchange()` behind the client-secret limits (idp.throttle): a 401 counts as a failure."""
    presented = client_authentication(request)
    if isinstance(presented, HttpResponse):
        return presented
    client_id, has_secret = presented
    if not has_secret:
        return exchange()  # a public client: no secret to guess
    attempt = throttle.begin_attempt(
        kind=throttle.CLIENT_SECRET, subject=client_id, address=throttle.client_address(request)
    )
    if attempt is None:
        return too_many_attempts()
    response = exchange()
    if response.status_code != 401:
        throttle.succeeded(attempt)
    return response
