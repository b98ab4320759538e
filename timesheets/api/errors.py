"""The one exception handler that shapes every API error.

Body: {"error": <code>, "error_description": <text>} plus, for bad input,
"fields": {<field>: [<message>, ...]} or "items": [{"index", "fields"}]. 401
and 403 carry RFC 6750's WWW-Authenticate header. Never a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from authn.authentication import REALM
from authn.permissions import InsufficientScope
from timesheets.api.serializers import EntrySerializer
from timesheets.api.timer_serializers import TimerSerializer
from timesheets.errors import DomainError, PreconditionFailed, TimerRunning, UploadRejected

logger = logging.getLogger(__name__)

# How long a client should wait before retrying a 503 (the database or the issuer's keys out of reach).
RETRY_AFTER_SECONDS = "5"


def _fields_from(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for field, messages in detail.items():
            if isinstance(messages, dict):
                for sub, sub_messages in _fields_from(messages).items():
                    out[f"{field}.{sub}"] = sub_messages
            elif isinstance(messages, list):
                out[field] = [str(m) for m in messages]
            else:
                out[field] = [str(messages)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {"non_field_errors": [str(detail)]}


def error_response(
    code: str, description: str, http_status: int, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {"error": code, "error_description": description, **extra}
    return Response(body, status=http_status, headers=headers)


def validation_error_response(fields: dict[str, list[str]]) -> Response:
    names = ", ".join(sorted(fields))
    return error_response("invalid_request", f"Invalid input: {names}.", status.HTTP_400_BAD_REQUEST, fields=fields)


def database_unavailable_response() -> Response:
    return error_response(
        "temporarily_unavailable",
        "The database cannot be reached right now; try again shortly.",
        status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is down, restarting or refusing connections: the client may retry, as at /healthz.
        logger.error("database unavailable: %s", exc)
        return database_unavailable_response()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return validation_error_response({k: [str(m) for m in v] for k, v in detail.items()})
    if isinstance(exc, UploadRejected):
        return error_response(exc.code, exc.message, exc.status, items=exc.items)
    if isinstance(exc, PreconditionFailed):
        return error_response(exc.code, exc.message, exc.status, current=EntrySerializer(exc.entry).data)
    if isinstance(exc, TimerRunning):
        return error_response(exc.code, exc.message, exc.status, timer=TimerSerializer(exc.timer).data)
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.status)
    if isinstance(exc, Http404):
        return error_response("not_found", "No such resource.", status.HTTP_404_NOT_FOUND)

    if isinstance(exc, InsufficientScope):
        scope = " ".join(exc.scopes)
        header = f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'
        return error_response(
            "insufficient_scope", str(exc.detail), 403, headers={"WWW-Authenticate": header}, scope=scope
        )
    response = drf_default_handler(exc, context)
    if response is None:
        return None  # not an API error: let Django answer with its 500 page (never a trace when DEBUG is off)

    if isinstance(exc, exceptions.ValidationError):
        fields = _fields_from(exc.detail)
        response.data = {
            "error": "invalid_request",
            "error_description": f"Invalid input: {', '.join(sorted(fields))}.",
            "fields": fields,
        }
        return response
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        code = "invalid_token"
        description = str(exc.detail)
        header = f'Bearer realm="{REALM}", error="invalid_token", error_description="{description}"'
        response.data = {"error": code, "error_description": description}
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = header
        return response
    if isinstance(exc, exceptions.ParseError):
        response.data = {"error": "invalid_request", "error_description": f"Malformed request body: {exc.detail}"}
        return response
    if isinstance(exc, exceptions.UnsupportedMediaType):
        response.data = {
            "error": "unsupported_media_type",
            "error_description": "Send the body as JSON with 'Content-Type: application/json'.",
        }
        return response
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    response.data = {"error": code if isinstance(code, str) else "error", "error_description": str(exc.detail)}
    if response.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        response["Retry-After"] = RETRY_AFTER_SECONDS
    return response
