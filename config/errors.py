"""Site-wide 404 and 500 pages: JSON for API clients, HTML for people."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error

_API_PREFIXES = ("/api/", "/timesheets", "/approvals", "/oauth/", "/userinfo", "/.well-known/")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(_API_PREFIXES) or "application/json" in request.headers.get("Accept", "")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": "not_found", "error_description": "No such resource."}, status=404)
    return page_not_found(request, exception)


def internal_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"error": "server_error", "error_description": "Something went wrong on our side; it has been logged."},
            status=500,
        )
    return server_error(request)
