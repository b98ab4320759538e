"""Django settings for ABC Timesheets.

Every value comes from an environment variable (see README.md for the table)
with a safe default for development: DEBUG off, SQLite, the embedded identity
provider. Bad values stop the process at start (config/env.py).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_hostname, env_int, env_list, env_optional_int, env_origins, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)

# The app's own origin. Used for the embedded issuer, redirects and links; never
# taken from the Host header.
PUBLIC_URL = env_url("PUBLIC_URL", "http://127.0.0.1:8000")
_public = urlsplit(PUBLIC_URL)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [_public.hostname or "127.0.0.1", "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "authn",
    "idp",
    "timesheets",
    "pwa",
]

MIDDLEWARE = [
    # First: it answers CORS preflights before anything can refuse them (CORS section below).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy for the sign-in pages, the admin and Swagger UI (config/csp.py).
    "config.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that reads the socket instead of sending SELECT 1.
    DATABASES["default"]["ENGINE"] = "config.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so two
    # requests checking the 24-hour rule cannot both read, then both write. WAL: a commit
    # is one append (synchronous stays FULL, as durable as before) and readers never wait for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL"}
    )
    # Connections persist here too (DATABASE_CONN_MAX_AGE): a new SQLite connection re-reads the
    # schema on its first query, which cost more than the rest of an API list request.

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "authn.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security headers -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if _public.scheme == "https":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Served over https only: plain-http requests are redirected (the proxy's X-Forwarded-Proto
    # tells), except the probes an orchestrator calls on the plain port; browsers remember it (HSTS).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # DOT's W008 (http redirect URIs allowed): only loopback ones (native apps, RFC 8252) are accepted
    # with an https PUBLIC_URL; idp.validator refuses every other http redirect URI.
    SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]

# --- Identity: which issuer the API trusts ------------------------------------------
AUTH0_DOMAIN = env_hostname("AUTH0_DOMAIN")
OIDC_ISSUER = env_str("OIDC_ISSUER")
if OIDC_ISSUER:
    env_url("OIDC_ISSUER", schemes=("https", "http"))  # validates the shape only
if AUTH0_DOMAIN and OIDC_ISSUER:
    raise ImproperlyConfigured("Set AUTH0_DOMAIN or OIDC_ISSUER, not both.")
# Neither set: the embedded identity provider (idp/) issues tokens at PUBLIC_URL.
EMBEDDED_IDP = not (AUTH0_DOMAIN or OIDC_ISSUER)
if AUTH0_DOMAIN:
    TOKEN_ISSUER = f"https://{AUTH0_DOMAIN}/"
elif OIDC_ISSUER:
    TOKEN_ISSUER = OIDC_ISSUER  # compared byte for byte with `iss`, as OIDC requires
else:
    TOKEN_ISSUER = PUBLIC_URL + "/"

AUTH0_AUDIENCE = env_str("AUTH0_AUDIENCE", "https://api.exampleco.com/timesheets")
AUTH0_EMAIL_CLAIM = env_str("AUTH0_EMAIL_CLAIM", "https://api.exampleco.com/email")
JWT_ALGORITHMS = env_list("JWT_ALGORITHMS", ["RS256"])
_KNOWN_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "ES256", "HS256"}
if not JWT_ALGORITHMS or not set(JWT_ALGORITHMS) <= _KNOWN_ALGORITHMS:
    raise ImproperlyConfigured(f"JWT_ALGORITHMS must be a subset of {sorted(_KNOWN_ALGORITHMS)}")
JWT_HS256_SECRET = env_str("JWT_HS256_SECRET")
if "HS256" in JWT_ALGORITHMS and len(JWT_HS256_SECRET) < 32:
    raise ImproperlyConfigured("JWT_ALGORITHMS includes HS256: set JWT_HS256_SECRET (at least 32 characters).")
JWT_LEEWAY_SECONDS = env_int("JWT_LEEWAY_SECONDS", 30, minimum=0)
JWKS_CACHE_SECONDS = env_int("JWKS_CACHE_SECONDS", 600, minimum=1)
JWKS_MIN_REFETCH_SECONDS = env_int("JWKS_MIN_REFETCH_SECONDS", 15, minimum=0)
JWKS_FETCH_TIMEOUT_SECONDS = env_int("JWKS_FETCH_TIMEOUT_SECONDS", 5, minimum=1)

# Client ids of the first-party apps (the PWA and Swagger UI). With the embedded
# issuer `demo_tenant` registers them under these ids; with Auth0 set them to the
# ids the dashboard shows.
PWA_CLIENT_ID = env_str("PWA_CLIENT_ID", "timesheets-mobile")
SWAGGER_UI_CLIENT_ID = env_str("SWAGGER_UI_CLIENT_ID", "swagger-ui")

# --- CORS: browser pages on other origins (django-cors-headers) ---------------------------
# Two groups of paths, each with its own rule (authn/cors.py and idp/cors.py decide per request
# through the library's check_request_enabled signal): the API, for API_CORS_ALLOWED_ORIGINS;
# the embedded issuer's endpoints, for the applications' Allowed Web Origins. Credentials are
# never allowed: the API and the token endpoints read no cookies.
API_CORS_ALLOWED_ORIGINS = env_origins("API_CORS_ALLOWED_ORIGINS", ["*"])
API_CORS_URLS_REGEX = r"^/(?:api/|timesheets(?:/|$)|approvals(?:/|$))"
ISSUER_CORS_URLS_REGEX = r"^/(?:oauth/token|oauth/revoke|userinfo|\.well-known/(?:openid-configuration|jwks\.json))$"
CORS_URLS_REGEX = rf"{API_CORS_URLS_REGEX}|{ISSUER_CORS_URLS_REGEX}" if EMBEDDED_IDP else API_CORS_URLS_REGEX
CORS_ALLOWED_ORIGINS: list[str] = []  # the two signal handlers decide
CORS_ALLOW_CREDENTIALS = False
# auth0-client: Auth0's SDKs name themselves in it on every issuer call.
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "if-match", "if-none-match", "auth0-client"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "WWW-Authenticate"]
CORS_PREFLIGHT_MAX_AGE = 600

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["authn.authentication.BearerJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["authn.permissions.HasRequiredScopes"],
    "DEFAULT_PARSER_CLASSES": ["timesheets.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.JSONRenderer"],  # DRF's, and JSON text written by a view
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.negotiation.JSONFirstContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "timesheets.api.schema.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "timesheets.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ABC Timesheets API",
    "DESCRIPTION": (
        "Log, review and approve working time. Every operation needs an OAuth 2.0 "
        "access token (JWT) for the audience below with the scope it names."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False},
    "SWAGGER_UI_OAUTH2_CONFIG": {
        "clientId": SWAGGER_UI_CLIENT_ID,
        "usePkceWithAuthorizationCodeGrant": True,
        "scopes": "openid profile email read:timesheets create:timesheets",
        "additionalQueryStringParams": {"audience": AUTH0_AUDIENCE},
    },
    "POSTPROCESSING_HOOKS": ["timesheets.api.schema.add_security_schemes"],
}

# --- Logging: never log tokens or request bodies -----------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
# oauthlib's and django-oauth-toolkit's DEBUG lines print authorization codes and tokens: they stay at INFO or above.
_CREDENTIAL_LOGGERS_LEVEL = "INFO" if LOG_LEVEL == "DEBUG" else LOG_LEVEL
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {name: {"level": _CREDENTIAL_LOGGERS_LEVEL} for name in ("oauthlib", "oauth2_provider")},
}

# --- Embedded identity provider (idp/) ------------------------------------------------------
# django-oauth-toolkit, configured to behave like Auth0's Authentication API. The
# issuer and the signing keys are read live (idp/conf.py): the issuer is
# TOKEN_ISSUER, the keys are in the database and rotate with `rotate_signing_key`.
IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, minimum=1)
IDP_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("IDP_LOGIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1)
IDP_LOGIN_FAILURE_WINDOW_SECONDS = env_int("IDP_LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)
# Failed client authentications at /oauth/token per client id (the address limit above counts them too).
IDP_CLIENT_MAX_FAILURES_PER_CLIENT = env_int("IDP_CLIENT_MAX_FAILURES_PER_CLIENT", 10, minimum=1)
# Secrets the signing keys' private halves are encrypted with (idp/key_encryption.py): the first
# encrypts, all decrypt (rotation). Empty: one derived from SECRET_KEY.
IDP_KEY_ENCRYPTION_KEYS = env_list("IDP_KEY_ENCRYPTION_KEYS", [])
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
IDP_PROXY_COUNT = env_int("IDP_PROXY_COUNT", 0, minimum=0)
# Every password check (the sign-in page, the admin's sign-in, in either issuer mode) goes
# through the sign-in limits above (idp/throttle.py).
AUTHENTICATION_BACKENDS = ["idp.throttle.ThrottledModelBackend"]

# DOT's default, named so migrations can refer to it (Django resolves swappable models by setting).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    # An expired ID token is no proof the RP asked for this sign-out (idp.views.OIDCLogoutView).
    "OIDC_RP_INITIATED_LOGOUT_ACCEPT_EXPIRED_TOKENS": False,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_post", "client_secret_basic", "none"],
    "OIDC_JWKS_MAX_AGE_SECONDS": 300,
    "OAUTH2_SERVER_CLASS": "idp.server.Server",
    "OAUTH2_VALIDATOR_CLASS": "idp.validator.Auth0CompatibleValidator",
    "SCOPES_BACKEND_CLASS": "idp.scopes.ApiScopes",
    "ACCESS_TOKEN_GENERATOR": "idp.tokens.access_token_generator",
    # Set explicitly: unset, refresh tokens would be minted by the JWT generator too.
    "REFRESH_TOKEN_GENERATOR": "oauthlib.oauth2.rfc6749.tokens.random_token_generator",
    "RESOURCE_SERVER_TOKEN_RESOURCE_VALIDATOR": "idp.validator.allow_userinfo_or_resource",
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ID_TOKEN_EXPIRE_SECONDS": 36000,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    "PKCE_REQUIRED": True,
    # RFC 9700: S256 only, no implicit or password grant, no tokens in query
    # strings, tokens stored as checksums only.
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # RFC 9207: authorization responses carry `iss`, and discovery says so (mix-up defence).
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
}

# --- Admin: managers' sign-in through an external issuer (timesheets/admin_sso.py) ----------
# With the embedded issuer the admin keeps Django's own sign-in. With AUTH0_DOMAIN or
# OIDC_ISSUER, setting ADMIN_OIDC_CLIENT_ID/SECRET (a confidential "Regular Web Application"
# whose callback is PUBLIC_URL/admin/sso/callback/) lets managers sign in there; only a token
# carrying approve:timesheets gets staff access.
ADMIN_OIDC_CLIENT_ID = env_str("ADMIN_OIDC_CLIENT_ID")
ADMIN_OIDC_CLIENT_SECRET = env_str("ADMIN_OIDC_CLIENT_SECRET")
ADMIN_SSO = not EMBEDDED_IDP and bool(ADMIN_OIDC_CLIENT_ID)
if ADMIN_SSO and not ADMIN_OIDC_CLIENT_SECRET:
    raise ImproperlyConfigured("ADMIN_OIDC_CLIENT_ID is set: set ADMIN_OIDC_CLIENT_SECRET too.")
if ADMIN_SSO:
    AUTHENTICATION_BACKENDS = [
        "idp.throttle.ThrottledModelBackend",
        "timesheets.admin_sso.AdminOIDCBackend",
    ]
# mozilla-django-oidc reads these; endpoints and client come from timesheets/admin_sso.py.
OIDC_RP_SCOPES = "openid profile email approve:timesheets"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_AUTHENTICATION_CALLBACK_URL = "admin_sso_callback"
OIDC_TIMEOUT = env_int("ADMIN_OIDC_TIMEOUT_SECONDS", 10, minimum=1)

# --- Weeks and reminders (issue 10) ---------------------------------------------------
# On: an entry can be approved only inside a submitted week. Off (default): the sample
# clients' per-entry approval works as before, and weeks are optional.
REQUIRE_WEEK_SUBMISSION = env_bool("REQUIRE_WEEK_SUBMISSION", False)
# send_reminders e-mails people whose last week holds fewer hours; 0 turns that check off.
EXPECTED_HOURS_PER_WEEK = env_int("EXPECTED_HOURS_PER_WEEK", 40, minimum=0)

# --- Date limits for entries (issue 11) --------------------------------------------------
# How far from today (TIME_ZONE) an entry's date may be, for the API, uploads, the admin, the
# timer and week copy alike. No limit back by default: integrators import history.
ENTRY_MAX_DAYS_AHEAD = env_int("ENTRY_MAX_DAYS_AHEAD", 7, minimum=0)
ENTRY_MAX_DAYS_BACK = env_optional_int("ENTRY_MAX_DAYS_BACK", minimum=0)
# The phone app asks "are you sure?" for dates older than this (advisory; the server does not refuse them).
PWA_CONFIRM_DAYS_BACK = env_int("PWA_CONFIRM_DAYS_BACK", 28, minimum=0)

# E-mail (reminders): Django's console backend prints mails unless an SMTP host is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ABC Timesheets <timesheets@localhost>")
