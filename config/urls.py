from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerOauthRedirectView, SpectacularSwaggerView

from timesheets.api.urls import api_urlpatterns, compat_urlpatterns
from timesheets.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Swagger UI's default oauth2RedirectUrl (next to the docs page); forwards to the sidecar's page.
    path(
        "api/docs/oauth2-redirect.html",
        SpectacularSwaggerOauthRedirectView.as_view(),
        name="swagger-ui-oauth2-redirect",
    ),
    path("api/", include(api_urlpatterns)),
    path("", include(compat_urlpatterns)),
]

if settings.EMBEDDED_IDP:
    # The embedded issuer's Auth0-compatible routes; absent when an external issuer is configured.
    urlpatterns += [path("", include("idp.urls"))]

urlpatterns += [path("", include("pwa.urls"))]
