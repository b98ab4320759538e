from __future__ import annotations

from django.apps import AppConfig


class IdpConfig(AppConfig):
    name = "idp"
    verbose_name = "Identity provider"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from idp import checks, conf  # noqa: F401  (importing idp.checks registers the system checks)
        from idp.cors import issuer_cors_allowed

        conf.install()
        check_request_enabled.connect(issuer_cors_allowed, dispatch_uid="idp_cors")
