"""Start signing with a new RSA key; the old one stays in JWKS until its tokens have expired."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from idp import keys


class Command(BaseCommand):
    help = "Rotate the embedded issuer's signing key (the old public key stays published while its tokens live)."

    def handle(self, *args, **options) -> None:
        new, old = keys.rotate()
        self.stdout.write(f"New signing key: kid {new.kid}")
        if old is not None:
            self.stdout.write(f"Retired key {old.kid} stays in JWKS until {old.publish_until.isoformat()}")
