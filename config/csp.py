"""Content-Security-Policy for the server-rendered pages: the issuer's sign-in pages, the admin, Swagger UI.

Django 5.2 has no CSP support of its own; the phone app's shell sets a stricter
policy itself (pwa/views.py), and a response that already has one keeps it.
No page here runs inline script; the admin and Swagger UI use inline style
attributes, so only those two allow them.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
# The issuer's pages: the sign-in form posts to itself and is then redirected to the client's
# redirect URI (any registered origin), so form-action is not restricted here.
SIGN_IN_PAGES = ("/authorize", "/oidc/logout", "/v2/logout")
SIGN_IN_POLICY = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
ADMIN_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def swagger_ui_policy() -> str:
    """Swagger UI calls the API and, for Authorize, the issuer's token endpoint (another origin when external)."""
    issuer = urlsplit(settings.TOKEN_ISSUER)
    issuer_origin = f"{issuer.scheme}://{issuer.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src 'self' {issuer_origin}; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def policy_for(path: str) -> str | None:
    if path in SIGN_IN_PAGES:
        return SIGN_IN_POLICY
    if path.startswith("/admin/"):
        return ADMIN_POLICY
    if path.startswith("/api/docs/"):
        return swagger_ui_policy()
    return None


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            policy = policy_for(request.path)
            if policy is not None:
                response[HEADER] = policy
        return response
