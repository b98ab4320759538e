"""Encrypt every stored signing key with the first secret of IDP_KEY_ENCRYPTION_KEYS (after adding a new one)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from idp.key_encryption import reencrypt
from idp.models import SigningKey


class Command(BaseCommand):
    help = "Re-encrypt the signing keys with the newest IDP_KEY_ENCRYPTION_KEYS secret (the first one)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            keys = list(SigningKey.objects.select_for_update())
            for key in keys:
                key.encrypted_private_key = reencrypt(key.encrypted_private_key)
                key.save(update_fields=["encrypted_private_key"])
        self.stdout.write(f"Re-encrypted {len(keys)} signing key(s); the older secrets can now be removed.")
