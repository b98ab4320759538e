"""Site-wide 404 and 500 pages: JSON for API clients, HTML for people.

An unreachable database is not our bug but an outage the client may wait out:
503 `temporarily_unavailable` with `Retry-After`, as /healthz and the API's own
exception handler answer it.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error

_API_PREFIXES = ("/api/", "/timesheets", "/approvals", "/oauth/", "/userinfo", "/.well-known/")
RETRY_AFTER_SECONDS = "5"


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(_API_PREFIXES) or "application/json" in request.headers.get("Accept", "")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": "not_found", "error_description": "No such resource."}, status=404)
    return page_not_found(request, exception)


def _database_unavailable(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {
                "error": "temporarily_unavailable",
                "error_description": "The database cannot be reached right now; try again shortly.",
            },
            status=503,
        )
    else:
        response = HttpResponse(
            "<!doctype html><title>Temporarily unavailable</title>"
            "<h1>Temporarily unavailable</h1><p>Please try again in a moment.</p>",
            status=503,
        )
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def internal_error(request: HttpRequest) -> HttpResponse:
    # Django calls this handler while the exception is being handled, so it is still in sys.exc_info().
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return _database_unavailable(request)
    if _wants_json(request):
        return JsonResponse(
            {"error": "server_error", "error_description": "Something went wrong on our side; it has been logged."},
            status=500,
        )
    return server_error(request)
