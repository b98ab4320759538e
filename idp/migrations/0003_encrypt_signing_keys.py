"""Signing keys' private halves are stored encrypted (idp/key_encryption.py); existing ones are encrypted here."""

from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    from idp.key_encryption import encrypt

    SigningKey = apps.get_model("idp", "SigningKey")
    for key in SigningKey.objects.all():
        key.encrypted_private_key = encrypt(key.private_pem)
        key.save(update_fields=["encrypted_private_key"])


def decrypt_existing(apps, schema_editor):
    from idp.key_encryption import decrypt

    SigningKey = apps.get_model("idp", "SigningKey")
    for key in SigningKey.objects.all():
        key.private_pem = decrypt(key.encrypted_private_key)
        key.save(update_fields=["private_pem"])


class Migration(migrations.Migration):
    dependencies = [
        ("idp", "0002_login_failure_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="signingkey",
            name="encrypted_private_key",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="signingkey",
            name="private_pem",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.RemoveField(model_name="signingkey", name="private_pem"),
    ]
