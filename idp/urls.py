"""The embedded issuer's routes at Auth0's paths (mounted at the root only when EMBEDDED_IDP).

They sit in DOT's `oauth2_provider` namespace under DOT's route names because
DOT's discovery document and logout view find the endpoints by reversing them.
"""

from __future__ import annotations

from django.urls import path, re_path
from oauth2_provider import views as dot_views

from idp import views

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize", views.AuthorizeView.as_view(), name="authorize"),
    path("oauth/token", views.Auth0TokenView.as_view(), name="token"),
    path("oauth/revoke", views.Auth0RevokeView.as_view(), name="revoke-token"),
    path("userinfo", views.Auth0UserInfoView.as_view(), name="user-info"),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    re_path(
        r"^\.well-known/openid-configuration$",
        views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path("oidc/logout", views.OIDCLogoutView.as_view(), name="rp-initiated-logout"),
    path("v2/logout", views.Auth0LogoutView.as_view(), name="auth0-logout"),
]
