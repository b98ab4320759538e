from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from idp import admin_login as throttled_admin_login
from timesheets.api.urls import api_urlpatterns, compat_urlpatterns
from timesheets.health import healthz, livez


def swagger_ui_oauth2_redirect(request):
    """Where Swagger UI's Authorize popup lands; it hands the code to the docs page that opened it.

    Like drf-spectacular's docs page, it must not isolate itself with
    Cross-Origin-Opener-Policy (SecurityMiddleware's default), or the popup
    loses `window.opener` and the sign-in never completes.
    """
    response = TemplateResponse(request, "api_docs/oauth2-redirect.html")
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


class SwaggerUIView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script as a file (/api/docs/?script): no inline script, for the CSP.

    drf-spectacular's split view lacks the `Cross-Origin-Opener-Policy: unsafe-none` its
    inline view sends; without it the Authorize popup cannot hand the code back.
    """

    @extend_schema(exclude=True)  # the docs page is not an API operation
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response


throttled_admin_login.install()

urlpatterns = [
    path("livez", livez, name="livez"),
    path("healthz", healthz, name="healthz"),
    # Managers' admin sign-in through an external issuer; before admin/ so its catch-all doesn't take it.
    *([path("", include("timesheets.admin_sso"))] if settings.ADMIN_SSO else []),
    # The admin's password sign-in, throttled like /authorize's (same limits, same store).
    path("admin/login/", throttled_admin_login.admin_login),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
    # Swagger UI's default oauth2RedirectUrl (next to the docs page): where Authorize (PKCE) returns.
    path(
        "api/docs/oauth2-redirect.html",
        swagger_ui_oauth2_redirect,
        name="swagger-ui-oauth2-redirect",
    ),
    path("api/", include(api_urlpatterns)),
    path("", include(compat_urlpatterns)),
]

if settings.EMBEDDED_IDP:
    # The embedded issuer's Auth0-compatible routes; absent when an external issuer is configured.
    urlpatterns += [path("", include("idp.urls"))]

urlpatterns += [path("", include("pwa.urls"))]

handler404 = "config.errors.not_found"
handler500 = "config.errors.internal_error"
