"""Authorization responses other than a redirect: `web_message` (Auth0) and `form_post` (OIDC).

oauthlib builds every authorization response as a redirect URL carrying the
parameters in its query; these turn such a URL into the page the response mode
asks for.

- `web_message`: a page that posts `{type: "authorization_response", response:
  {code, state} | {error, error_description, state}}` to `window.opener ||
  window.parent` (auth0-spa-js's popup and silent-authentication iframe). The
  target origin is the redirect URI's origin, which must be one of the
  application's Allowed Web Origins; only those origins may frame the page.
- `form_post`: a page that POSTs the parameters to the redirect URI.

Both pages carry their own Content-Security-Policy: their one inline script is
allowed by its hash, nothing else runs.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from idp.origins import origin_of

WEB_MESSAGE = "web_message"
FORM_POST = "form_post"
SUPPORTED = ["query", FORM_POST, WEB_MESSAGE]

WEB_MESSAGE_SCRIPT = (
    "(function () {"
    ' var data = JSON.parse(document.getElementById("authorization-response").textContent);'
    " var target = window.opener || window.parent;"
    ' target.postMessage({type: "authorization_response", response: data.response}, data.origin);'
    "})();"
)
FORM_POST_SCRIPT = 'document.getElementById("authorization-response").submit();'


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _split_response(redirect_to: str, redirect_uri: str) -> tuple[str, list[tuple[str, str]]]:
    """(the redirect URI, the response parameters oauthlib added to its query)."""
    parts = urlsplit(redirect_to)
    params = parse_qsl(parts.query, keep_blank_values=True)
    if redirect_uri and redirect_to.startswith(redirect_uri):
        own = parse_qsl(urlsplit(redirect_uri).query, keep_blank_values=True)
        return redirect_uri, [param for param in params if param not in own]
    return urlunsplit(parts._replace(query="", fragment="")), params


def _no_web_origin(origin: str | None) -> HttpResponse:
    return JsonResponse(
        {
            "error": "invalid_request",
            "error_description": f"response_mode=web_message: the origin {origin} is not one of the "
            "application's Allowed Web Origins.",
        },
        status=400,
    )


def web_message_response(request: HttpRequest, application, redirect_to: str) -> HttpResponse:
    redirect_uri, params = _split_response(redirect_to, request.GET.get("redirect_uri", ""))
    origin = origin_of(redirect_uri)
    profile = getattr(application, "idp_profile", None) if application is not None else None
    if origin is None or profile is None or not profile.web_origin_allowed(origin):
        return _no_web_origin(origin)
    context = {
        "script": WEB_MESSAGE_SCRIPT,
        "data": {"origin": origin, "response": dict(params)},
    }
    response = render(request, "idp/web_message.html", context)
    # Framed by the application's page for silent authentication: only its origin may frame it.
    response.xframe_options_exempt = True
    response["Content-Security-Policy"] = (
        f"default-src 'none'; script-src {_script_hash(WEB_MESSAGE_SCRIPT)}; frame-ancestors {origin}"
    )
    response["Cache-Control"] = "no-store"
    return response


def form_post_response(request: HttpRequest, redirect_to: str) -> HttpResponse:
    redirect_uri, params = _split_response(redirect_to, request.GET.get("redirect_uri", ""))
    context = {"script": FORM_POST_SCRIPT, "action": redirect_uri, "params": params}
    response = render(request, "idp/form_post.html", context)
    origin = origin_of(redirect_uri) or "'none'"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; script-src {_script_hash(FORM_POST_SCRIPT)}; form-action {origin}; frame-ancestors 'none'"
    )
    response["Cache-Control"] = "no-store"
    return response
