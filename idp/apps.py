from __future__ import annotations

from django.apps import AppConfig


class IdpConfig(AppConfig):
    name = "idp"
    verbose_name = "Identity provider"

    def ready(self) -> None:
        from idp import checks, conf  # noqa: F401  (importing idp.checks registers the system checks)

        conf.install()
