"""The signing keys' private halves are stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256).

The encryption keys come from IDP_KEY_ENCRYPTION_KEYS (comma-separated secrets, the
first encrypts, every one decrypts), by default one derived from SECRET_KEY. To
rotate: put the new secret first and keep the old one after it, run
`manage.py reencrypt_signing_keys`, then drop the old secret. A private key is
decrypted only to sign or to publish its public half, never written in clear.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CONTEXT = b"abc-timesheets idp signing-key encryption\x00"


def _fernet_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(CONTEXT + secret.encode()).digest())


def _cipher() -> MultiFernet:
    secrets = settings.IDP_KEY_ENCRYPTION_KEYS or [settings.SECRET_KEY]
    return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets])


def encrypt(private_pem: str) -> str:
    return _cipher().encrypt(private_pem.encode()).decode()


def decrypt(encrypted: str) -> str:
    try:
        return _cipher().decrypt(encrypted.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A signing key cannot be decrypted: IDP_KEY_ENCRYPTION_KEYS (or SECRET_KEY, its default) "
            "does not hold the secret it was encrypted with."
        ) from None


def reencrypt(encrypted: str) -> str:
    """The same private key, encrypted with the first (newest) secret."""
    return _cipher().rotate(encrypted.encode()).decode()
