"""The OAuth endpoints' request checks and RFC 6749 error bodies."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse


def oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


# Credentials a client might put in a URL. URLs end up in logs, histories and Referer headers, so
# RFC 6750 (section 2.3) and RFC 9700 forbid it: such requests are refused, not served.
CREDENTIAL_PARAMETERS = (
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "client_secret",
    "code",
    "code_verifier",
    "password",
)


def credentials_in_query(request: HttpRequest) -> HttpResponse | None:
    """400 invalid_request when the query string carries a credential."""
    found = [name for name in CREDENTIAL_PARAMETERS if name in request.GET]
    if not found:
        return None
    response = oauth_error(
        "invalid_request",
        f"Credentials must not be sent in the URL ({', '.join(found)}): "
        "send tokens in the Authorization header and other parameters in the request body.",
    )
    response["WWW-Authenticate"] = 'Bearer error="invalid_request"'
    return response


def _is_unicode_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_json_body(request: HttpRequest) -> HttpResponse | None:
    """Put a JSON body's parameters on the request for FormOrJSONOAuthLibCore; an error response if unusable."""
    if request.content_type != "application/json":
        if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return oauth_error(
                "invalid_request", "Send the parameters as application/x-www-form-urlencoded or application/json."
            )
        return None
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return oauth_error("invalid_request", "The request body is not valid JSON.")
    except RecursionError:
        return oauth_error("invalid_request", "The request body is nested too deeply.")
    if not isinstance(body, dict):
        return oauth_error("invalid_request", "The request body must be a JSON object.")
    params = []
    for key, value in body.items():
        if value is None:
            continue  # null means absent, as Auth0 reads it (auth0-python sends "organization": null)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return oauth_error("invalid_request", f"The parameter '{key}' must be a string.")
        if not _is_unicode_text(key) or not _is_unicode_text(str(value)):
            # JSON may escape lone surrogates ("\ud800"): no database or hash can take them.
            return oauth_error("invalid_request", "The request body holds a string that is not valid Unicode.")
        params.append((key, str(value)))
    request.idp_json_params = params
    return None
