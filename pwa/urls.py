from __future__ import annotations

from django.urls import path

from pwa import views

urlpatterns = [path("", views.shell, name="pwa-shell")]
