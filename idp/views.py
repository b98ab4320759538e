"""Auth0's Authentication API paths, served by django-oauth-toolkit's views.

What is ours: the login form at /authorize (with throttling), JSON bodies at
/oauth/token, JSON error bodies where DOT renders HTML, and Auth0's /v2/logout.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from jwcrypto import jwt
from jwcrypto.common import JWException
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    RevokeTokenView,
    RPInitiatedLogoutView,
    TokenView,
    UserInfoView,
)
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2.rfc6749.errors import LoginRequired

from idp import response_modes
from idp.backends import FormOrJSONOAuthLibCore
from idp.client_auth import with_client_throttle
from idp.http import credentials_in_query, oauth_error, parse_json_body

GENERIC_LOGIN_ERROR = "Wrong username or password."
SESSION_AUTH_TIME = "idp_auth_time"
THROTTLED_LOGIN_ERROR = "Too many failed sign-in attempts. Wait a few minutes, then try again."


def session_age(request: HttpRequest) -> float:
    """Seconds since this session's user signed in (the session's record, else the account's last sign-in)."""
    signed_in = request.session.get(SESSION_AUTH_TIME)
    if signed_in is None and request.user.last_login is not None:
        signed_in = request.user.last_login.timestamp()
    return time.time() - signed_in if signed_in is not None else float("inf")


def hinted_sub(id_token_hint: str) -> str | None:
    """The `sub` of an ID token this issuer signed (expired ones too, as OIDC allows for hints); else None."""
    from idp.validator import Auth0CompatibleValidator

    key = Auth0CompatibleValidator()._get_key_for_token(id_token_hint)
    if key is None:
        return None
    try:
        claims = json.loads(jwt.JWT(key=key, jwt=id_token_hint, check_claims={}).claims)
    except (JWException, ValueError, TypeError):
        return None
    if not isinstance(claims, dict) or claims.get("iss") != settings.TOKEN_ISSUER:
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) else None


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

    def redirect(self, redirect_to, application) -> HttpResponse:
        """The authorization response, in the response mode the client asked for (idp/response_modes.py)."""
        mode = self.request.GET.get("response_mode", "")
        if mode not in (response_modes.WEB_MESSAGE, response_modes.FORM_POST):
            return super().redirect(redirect_to, application)
        if application is None:
            # Only reached for errors oauthlib lets go to the redirect URI, i.e. a known client.
            client_id = self.request.GET.get("client_id", "")
            application = get_application_model().objects.filter(client_id=client_id).first()
        if mode == response_modes.WEB_MESSAGE:
            return response_modes.web_message_response(self.request, application, redirect_to)
        return response_modes.form_post_response(self.request, redirect_to)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            problem = self._session_unfit(request)
            if problem is not None:
                return problem
        return super().get(request, *args, **kwargs)

    def _session_unfit(self, request: HttpRequest) -> HttpResponse | None:
        """OIDC Core 3.1.2.1: a session of another user than `id_token_hint` names, or older than
        `max_age`, needs a sign-in: login_required with prompt=none, else the sign-in page."""
        hint = request.GET.get("id_token_hint")
        other_user = bool(hint) and hinted_sub(hint) != request.user.sub
        max_age = request.GET.get("max_age", "")
        too_old = max_age.isascii() and max_age.isdigit() and session_age(request) > int(max_age)
        if not (other_user or too_old):
            return None
        if "none" in request.GET.get("prompt", "").split():
            application, error_response = self._validated_application(request)
            if error_response is not None:
                return error_response
            description = "Session user does not match id_token_hint." if other_user else "The session is too old."
            return self.error_response(
                OAuthToolkitError(
                    error=LoginRequired(description=description, state=request.GET.get("state")),
                    redirect_uri=request.GET.get("redirect_uri"),
                ),
                application,
            )
        return self.handle_prompt_login()

    def error_response(self, error, application, **kwargs) -> HttpResponse:
        redirect, response = OAuthLibMixin.error_response(self, error, **kwargs)
        if redirect:
            # RFC 9207: error responses name the issuer too (DOT adds it to successful ones).
            return self.redirect(add_params_to_uri(response["url"], [("iss", settings.TOKEN_ISSUER)]), application)
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
        request.session[SESSION_AUTH_TIME] = int(time.time())
        # Back to GET /authorize with the same parameters: DOT now issues the code.
        return HttpResponseRedirect(_without_prompt(request.get_full_path()), status=303)


class Auth0TokenView(TokenView):
    """POST /oauth/token with a form or a JSON body; all of one exchange commits or none of it."""

    oauthlib_backend_class = FormOrJSONOAuthLibCore

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        problem = credentials_in_query(request) or parse_json_body(request)
        if problem is not None:
            return problem
        return with_client_throttle(request, lambda: self._exchange(request))

    def _exchange(self, request: HttpRequest) -> HttpResponse:
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
        return with_client_throttle(request, lambda: super(Auth0RevokeView, self).post(request, *args, **kwargs))


@method_decorator(csrf_exempt, name="dispatch")
class Auth0UserInfoView(UserInfoView):
    """GET/POST /userinfo (DOT), with the access token in the Authorization header only (RFC 6750, 2.3)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        problem = credentials_in_query(request)
        if problem is not None:
            return problem
        return super().dispatch(request, *args, **kwargs)


class DiscoveryView(ConnectDiscoveryInfoView):
    """GET /.well-known/openid-configuration: DOT's document, plus the response modes /authorize serves."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        document = json.loads(response.content)
        document["response_modes_supported"] = response_modes.SUPPORTED
        response.content = json.dumps(document).encode()
        return response


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
