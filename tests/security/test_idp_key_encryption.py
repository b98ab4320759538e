"""The issuer's private signing keys are encrypted at rest; the encryption secret rotates (issue 9, item 9)."""

from __future__ import annotations

import io

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from idp import keys
from idp.models import SigningKey
from tests.idp.conftest import Tenant, tenant_at


def stored_column(kid: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT encrypted_private_key FROM idp_signingkey WHERE kid = %s", [kid])
        return cursor.fetchone()[0]


def all_stored_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM idp_signingkey")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


@pytest.mark.django_db
def test_no_private_key_is_stored_in_clear(settings) -> None:
    settings.IDP_KEY_ENCRYPTION_KEYS = []
    active = keys.active_key()
    new, _old = keys.rotate()
    stored = all_stored_text()
    assert "PRIVATE KEY" not in stored
    assert active.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert new.private_pem not in stored
    assert stored_column(new.kid).startswith("gAAAA")  # a Fernet token


@pytest.mark.django_db
def test_the_encryption_secret_rotates(settings) -> None:
    settings.IDP_KEY_ENCRYPTION_KEYS = ["old-secret-" + "o" * 32]
    key = keys.active_key()
    pem = key.private_pem
    settings.IDP_KEY_ENCRYPTION_KEYS = ["new-secret-" + "n" * 32]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        SigningKey.objects.get(pk=key.pk).private_pem  # noqa: B018 (the property decrypts)
    settings.IDP_KEY_ENCRYPTION_KEYS = ["new-secret-" + "n" * 32, "old-secret-" + "o" * 32]
    assert SigningKey.objects.get(pk=key.pk).private_pem == pem  # both secrets configured: still readable
    out = io.StringIO()
    call_command("reencrypt_signing_keys", stdout=out)
    assert "Re-encrypted 1 signing key" in out.getvalue()
    settings.IDP_KEY_ENCRYPTION_KEYS = ["new-secret-" + "n" * 32]
    assert SigningKey.objects.get(pk=key.pk).private_pem == pem  # the old secret is no longer needed


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    return tenant_at(live_server, settings)


def test_tokens_signed_with_an_encrypted_key_verify_against_jwks(tenant: Tenant) -> None:
    flow = tenant.authorization()
    tokens = flow.exchange(flow.code_for("alice", tenant.passwords["alice"])["code"]).json()
    response = requests.get(
        f"{tenant.base}/api/timesheets", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200, response.text
    assert "PRIVATE KEY" not in all_stored_text()
