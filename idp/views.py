"""Auth0's Authentication API paths, served by django-oauth-toolkit's views.

What is ours: the login form at /authorize (with throttling), JSON bodies at
/oauth/token, JSON error bodies where DOT renders HTML, and Auth0's /v2/logout.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib.auth import authenticate, logout
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.views import (
    AuthorizationView,
    RevokeTokenView,
    RPInitiatedLogoutView,
    TokenView,
    UserInfoView,
)
from oauth2_provider.views.mixins import OAuthLibMixin

from idp.backends import FormOrJSONOAuthLibCore

GENERIC_LOGIN_ERROR = "Wrong username or password."
THROTTLED_LOGIN_ERROR = "Too many failed sign-in attempts. Wait a few minutes, then try again."


def oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _without_prompt(full_path: str) -> str:
    parts = urlsplit(full_path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "prompt"]
    return parts._replace(query=urlencode(query)).geturl()


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class AuthorizeView(AuthorizationView):
    """GET /authorize: the sign-in page when needed, then a redirect with `code` and `state`.

    The login form posts back to the same URL (query string included); after a
    successful sign-in the browser is sent to it again and DOT issues the code.
    """

    login_template = "idp/login.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and "password" in request.POST:
            self.oauth2_data = {}
            response = self.sign_in(request)
        else:
            response = super().dispatch(request, *args, **kwargs)
        # Sign-in may run in a popup (Swagger UI's Authorize, auth0-spa-js loginWithPopup) whose
        # last page must still reach `window.opener`; SecurityMiddleware's default COOP
        # (same-origin) would cut that link. Framing stays forbidden (X-Frame-Options: DENY).
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response

    def error_response(self, error, application, **kwargs) -> HttpResponse:
        redirect, response = OAuthLibMixin.error_response(self, error, **kwargs)
        if redirect:
            return self.redirect(response["url"], application)
        # No safe place to redirect to (unknown client, unregistered redirect_uri): say so here.
        oauthlib_error = response["error"]
        return oauth_error(oauthlib_error.error, oauthlib_error.description or "", oauthlib_error.status_code)

    def _validated_application(self, request: HttpRequest):
        """The requesting application, or an error response when the request is not acceptable."""
        try:
            _scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return None, self.error_response(error, application=None)
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        return application, None

    def login_page(
        self, request: HttpRequest, application, *, error: str = "", username: str = "", status: int = 200
    ) -> HttpResponse:
        context = {
            "application": application,
            "action": _without_prompt(request.get_full_path()),
            "error": error,
            "username": username,
        }
        return render(request, self.login_template, context, status=status)

    def handle_no_permission(self) -> HttpResponse:
        prompt = set(self.request.GET.get("prompt", "").split())
        if "none" in prompt:
            return super().handle_no_permission()  # redirects with error=login_required
        application, error_response = self._validated_application(self.request)
        if error_response is not None:
            return error_response
        return self.login_page(self.request, application)

    def handle_prompt_login(self) -> HttpResponse:
        # prompt=login: sign in again even with a session.
        logout(self.request)
        application, error_response = self._validated_application(self.request)
        if error_response is not None:
            return error_response
        return self.login_page(self.request, application)

    def sign_in(self, request: HttpRequest) -> HttpResponse:
        application, error_response = self._validated_application(request)
        if error_response is not None:
            return error_response
        username = request.POST.get("username", "")[:150]
        password = request.POST.get("password", "")
        # The sign-in limits are applied by the authentication backend (idp.throttle), as for every password check.
        user = authenticate(request, username=username, password=password) if username and password else None
        if getattr(request, "idp_throttled", False):
            return self.login_page(request, application, error=THROTTLED_LOGIN_ERROR, username=username, status=429)
        if user is None or not user.is_active:
            return self.login_page(request, application, error=GENERIC_LOGIN_ERROR, username=username, status=400)
        auth_login(request, user)
        # Back to GET /authorize with the same parameters: DOT now issues the code.
        return HttpResponseRedirect(_without_prompt(request.get_full_path()), status=303)


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
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return oauth_error("invalid_request", f"The parameter '{key}' must be a string.")
        if not _is_unicode_text(key) or not _is_unicode_text(str(value)):
            # JSON may escape lone surrogates ("\ud800"): no database or hash can take them.
            return oauth_error("invalid_request", "The request body holds a string that is not valid Unicode.")
        params.append((key, str(value)))
    request.idp_json_params = params
    return None


class Auth0TokenView(TokenView):
    """POST /oauth/token with a form or a JSON body; all of one exchange commits or none of it."""

    oauthlib_backend_class = FormOrJSONOAuthLibCore

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        problem = credentials_in_query(request) or parse_json_body(request)
        if problem is not None:
            return problem
        with transaction.atomic():
            # Not TokenView.post: it routes the device grant (RFC 8628) to a device flow this issuer
            # does not serve; oauthlib answers it unsupported_grant_type (idp.server).
            return self.authorization_flow_token_response(request)


class Auth0RevokeView(RevokeTokenView):
    """POST /oauth/revoke (RFC 7009) with a form or a JSON body, as Auth0 accepts."""

    oauthlib_backend_class = FormOrJSONOAuthLibCore

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        problem = credentials_in_query(request) or parse_json_body(request)
        if problem is not None:
            return problem
        return super().post(request, *args, **kwargs)


@method_decorator(csrf_exempt, name="dispatch")
class Auth0UserInfoView(UserInfoView):
    """GET/POST /userinfo (DOT), with the access token in the Authorization header only (RFC 6750, 2.3)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        problem = credentials_in_query(request)
        if problem is not None:
            return problem
        return super().dispatch(request, *args, **kwargs)


class OIDCLogoutView(RPInitiatedLogoutView):
    """GET /oidc/logout?id_token_hint=…&post_logout_redirect_uri=…&state=… (DOT), errors as JSON.

    An ID token is no credential: anyone who saw one (a log, a browser history) could
    otherwise sign its user out everywhere. So tokens are revoked only for the user of
    the session this browser holds (DOT would revoke the hint's user even without a
    session, or after a confirmation by someone else). Expired hints and hints of
    another issuer or key are refused (OIDC_RP_INITIATED_LOGOUT_ACCEPT_EXPIRED_TOKENS off).
    """

    def do_logout(self, application=None, post_logout_redirect_uri=None, state=None, token_user=None):
        # token_user=None: DOT then revokes the tokens of request.user, if the session has one.
        return super().do_logout(application, post_logout_redirect_uri, state, token_user=None)

    def error_response(self, error) -> HttpResponse:
        return oauth_error(error.error or "invalid_request", error.description, error.status_code)


class Auth0LogoutView(View):
    """GET /v2/logout?client_id=…&returnTo=…: end the session; redirect only to an allowed logout URL."""

    def get(self, request: HttpRequest) -> HttpResponse:
        client_id = request.GET.get("client_id", "")
        return_to = request.GET.get("returnTo", "")
        application = None
        if client_id:
            application = get_application_model().objects.filter(client_id=client_id).first()
            if application is None:
                return oauth_error("invalid_request", f"Unknown client_id: {client_id}")
        if return_to:
            if application is None:
                return oauth_error("invalid_request", "returnTo needs the client_id of the application it belongs to.")
            if not application.post_logout_redirect_uri_allowed(return_to):
                return oauth_error(
                    "invalid_request",
                    f'The "returnTo" URL "{return_to}" is not one of the application\'s Allowed Logout URLs.',
                )
        logout(request)
        if return_to:
            return HttpResponseRedirect(return_to)
        return render(request, "idp/signed_out.html", {"application": application})
