"""Auth0's tenant model on top of django-oauth-toolkit's applications and tokens.

DOT owns applications, grants and tokens. What Auth0 adds lives here: APIs
(resource servers) with their scopes, the application type, client grants
(which API a machine client may call, with which scopes), roles bounding the
scopes a person can get, the signing keys, and the small records the login
throttle and the code-reuse revocation need.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from oauth2_provider.models import Application

from idp.origins import canonical_origins, normalise_origin, validate_web_origins

SCOPE_VALUE = RegexValidator(r"^[\x21\x23-\x5b\x5d-\x7e]+$", "A scope is one word of printable characters.")


class SigningAlgorithm(models.TextChoices):
    RS256 = "RS256", "RS256 (tenant key, published in JWKS)"
    HS256 = "HS256", "HS256 (shared secret of this API)"


class Api(models.Model):
    """An API (resource server) tokens can be issued for; `identifier` is the `audience`."""

    name = models.CharField(max_length=200)
    identifier = models.URLField(
        unique=True, help_text="The audience clients ask for, e.g. https://api.exampleco.com/timesheets."
    )
    signing_algorithm = models.CharField(max_length=5, choices=SigningAlgorithm.choices, default="RS256")
    signing_secret = models.CharField(
        max_length=255,
        blank=True,
        help_text="HS256 only: the shared secret the API verifies with (at least 32 characters).",
    )
    allow_offline_access = models.BooleanField(
        default=False, help_text="Issue refresh tokens when a client asks for offline_access."
    )
    token_lifetime = models.PositiveIntegerField(
        default=600,
        validators=[MinValueValidator(30)],
        help_text="Access-token lifetime in seconds. Keep it short: a signed token stays valid until it expires.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API"
        verbose_name_plural = "APIs"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.signing_algorithm == SigningAlgorithm.HS256 and len(self.signing_secret) < 32:
            raise ValidationError({"signing_secret": "HS256 needs a signing secret of at least 32 characters."})


class ApiScope(models.Model):
    """A permission an API defines, e.g. read:timesheets."""

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="scopes")
    value = models.CharField(max_length=100, validators=[SCOPE_VALUE])
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "API scope"
        ordering = ["api", "value"]
        constraints = [models.UniqueConstraint(fields=["api", "value"], name="idp_scope_unique_per_api")]

    def __str__(self) -> str:
        return self.value


class AppType(models.TextChoices):
    SPA = "spa", "Single Page Application"
    NATIVE = "native", "Native"
    M2M = "non_interactive", "Machine to Machine"


class ApplicationProfile(models.Model):
    """Auth0's application type for a DOT application (public + PKCE, or confidential M2M)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="idp_profile")
    app_type = models.CharField(max_length=20, choices=AppType.choices)
    allowed_web_origins = models.TextField(
        blank=True,
        validators=[validate_web_origins],
        help_text=(
            "Allowed Web Origins, space or comma separated (https://app.example.com). Browser pages there may "
            "call /oauth/token, /oauth/revoke and /userinfo (CORS) and get response_mode=web_message answers. "
            "Plain http only for loopback origins (http://localhost:3000)."
        ),
    )

    class Meta:
        verbose_name = "application type"

    def __str__(self) -> str:
        return self.get_app_type_display()

    def web_origin_allowed(self, origin: str) -> bool:
        wanted = normalise_origin(origin)
        return wanted is not None and wanted in canonical_origins(self.allowed_web_origins)


class ClientGrant(models.Model):
    """Which API a Machine to Machine application may call, and with which scopes."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="idp_client_grants")
    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="client_grants")
    scopes = models.ManyToManyField(ApiScope, blank=True)

    class Meta:
        verbose_name = "client grant"
        constraints = [models.UniqueConstraint(fields=["application", "api"], name="idp_one_grant_per_app_and_api")]

    def __str__(self) -> str:
        return f"{self.application} → {self.api.identifier}"


class Role(models.Model):
    """A set of API permissions given to people; a user's scopes are cut down to their roles'."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=255, blank=True)
    permissions = models.ManyToManyField(ApiScope, blank=True, related_name="roles")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="idp_roles")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """An RSA key of the tenant. One is active (signs); retired ones stay published until `publish_until`."""

    kid = models.CharField(max_length=100, unique=True, help_text="The key's JWK thumbprint, as JWKS publishes it.")
    # The private key must stay usable to sign, so it cannot be hashed: it is stored encrypted
    # (idp/key_encryption.py) and the admin never shows it.
    encrypted_private_key = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    publish_until = models.DateTimeField(
        null=True, blank=True, help_text="Retired keys: published in JWKS until every token they signed expired."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="idp_one_active_key")
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({'active' if self.active else 'retired'})"

    @property
    def private_pem(self) -> str:
        """The private key in clear, decrypted for this use only."""
        from idp.key_encryption import decrypt

        return decrypt(self.encrypted_private_key)


class LoginFailure(models.Model):
    """One failed (or not yet checked) secret: counted per account or client and per address (idp/throttle.py)."""

    class Kind(models.TextChoices):
        PASSWORD = "password", "password"
        CLIENT_SECRET = "client", "client secret"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PASSWORD)
    # The username, or the client id for a client secret.
    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class RedeemedCode(models.Model):
    """An authorization code already exchanged, so a second use can revoke what the first one got."""

    code_checksum = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    access_token_checksum = models.CharField(max_length=64, blank=True)
    refresh_token_family = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"code redeemed by {self.application} at {self.created_at:%Y-%m-%d %H:%M:%S}"
