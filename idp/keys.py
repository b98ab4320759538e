"""The tenant's RSA signing keys, kept in the database so every app process signs alike.

One key is active and signs; `rotate()` retires it and makes a new one. A
retired key stays in JWKS until every token it signed has expired, then it is
deleted. The `kid` is the key's JWK thumbprint, the name DOT's JWKS view gives it.
"""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from jwcrypto import jwk
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from idp.key_encryption import encrypt
from idp.models import Api, SigningKey


def _new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def jwk_for(signing_key: SigningKey) -> jwk.JWK:
    return jwk_from_pem(signing_key.private_pem)


def _create_active() -> SigningKey:
    pem = _new_private_pem()
    return SigningKey.objects.create(
        kid=jwk_from_pem(pem).thumbprint(), encrypted_private_key=encrypt(pem), active=True
    )


def active_key() -> SigningKey:
    """The key that signs now; the first one is created on first use."""
    key = SigningKey.objects.filter(active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _create_active()
    except IntegrityError:
        # Another process created the first key a moment ago.
        return SigningKey.objects.get(active=True)


def retired_published_keys() -> list[SigningKey]:
    return list(SigningKey.objects.filter(active=False, publish_until__gt=timezone.now()))


def longest_token_lifetime() -> timedelta:
    """How long a token signed now can stay valid: access tokens (per API) and ID tokens, plus leeway."""
    longest_api = Api.objects.aggregate(longest=models.Max("token_lifetime"))["longest"] or 0
    seconds = max(longest_api, int(oauth2_settings.ID_TOKEN_EXPIRE_SECONDS))
    return timedelta(seconds=seconds + settings.JWT_LEEWAY_SECONDS)


def rotate() -> tuple[SigningKey, SigningKey | None]:
    """Retire the active key (kept published while its tokens live) and start signing with a new one."""
    with transaction.atomic():
        old = SigningKey.objects.select_for_update().filter(active=True).first()
        if old is not None:
            old.active = False
            old.publish_until = timezone.now() + longest_token_lifetime()
            old.save(update_fields=["active", "publish_until"])
        new = _create_active()
        SigningKey.objects.filter(active=False, publish_until__lte=timezone.now()).delete()
    return new, old
