from __future__ import annotations

from django.urls import path

from pwa import views

urlpatterns = [
    path("", views.shell, name="pwa-shell"),
    # The OAuth redirect URI: the same shell, which completes the sign-in.
    path("callback", views.shell, name="pwa-callback"),
    path("manifest.webmanifest", views.manifest, name="pwa-manifest"),
    path("sw.js", views.service_worker, name="pwa-service-worker"),
    path("pwa/config.json", views.config, name="pwa-config"),
]
