from __future__ import annotations

from django.apps import AppConfig


class AuthnConfig(AppConfig):
    name = "authn"
    verbose_name = "Accounts and API authentication"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from authn.cors import api_cors_allowed

        check_request_enabled.connect(api_cors_allowed, dispatch_uid="api_cors")
