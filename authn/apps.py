from __future__ import annotations

from django.apps import AppConfig


class AuthnConfig(AppConfig):
    name = "authn"
    verbose_name = "Accounts and API authentication"
