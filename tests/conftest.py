from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from authn import caches
from authn.models import User
from authn.permissions import ALL_SCOPES
from tests.support.issuer import IssuerServer, SigningKey, TokenFactory
from timesheets.models import Project


@pytest.fixture(autouse=True)
def fast_password_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory) -> None:
    """Hashed static file names need a manifest: build one like `make run` does."""
    from django.conf import settings

    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory) -> None:
    """SQLite tests use a file, not Django's default shared-cache in-memory database.

    With the in-memory one, the live server's request threads share one cache and
    a write that meets a concurrent read fails at once with "database table is
    locked" (a 500) instead of waiting for the lock as a real database file does.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey.generate("test-key-1")


@pytest.fixture(scope="session")
def second_signing_key() -> SigningKey:
    return SigningKey.generate("test-key-2")


@pytest.fixture(scope="session")
def issuer_server(signing_key: SigningKey) -> Iterator[IssuerServer]:
    server = IssuerServer([signing_key])
    server.start()
    yield server
    server.stop()


@pytest.fixture
def issuer(settings, issuer_server: IssuerServer, signing_key: SigningKey) -> IssuerServer:
    """Point the API at the stand-in issuer (as the embedded issuer's own URL would be)."""
    issuer_server.publish([signing_key])
    if issuer_server._server is None:
        issuer_server.start()
    settings.TOKEN_ISSUER = issuer_server.url
    return issuer_server


@pytest.fixture
def make_token(settings, issuer: IssuerServer, signing_key: SigningKey) -> TokenFactory:
    return TokenFactory(
        issuer=issuer.url, audience=settings.AUTH0_AUDIENCE, key=signing_key, email_claim=settings.AUTH0_EMAIL_CLAIM
    )


@pytest.fixture
def alice(db) -> User:
    return User.objects.create(
        username="alice", sub="auth0|alice", email="alice@abc.example", name="Alice Employee", employee_number="E001"
    )


@pytest.fixture
def bob(db) -> User:
    return User.objects.create(
        username="bob", sub="auth0|bob", email="bob@abc.example", name="Bob Employee", employee_number="E002"
    )


@pytest.fixture
def carol(db) -> User:
    return User.objects.create(
        username="carol", sub="auth0|carol", email="carol@abc.example", name="Carol Manager", employee_number="M001"
    )


@pytest.fixture
def store_zero(db) -> Project:
    return Project.objects.create(name="StoreZero")


@pytest.fixture
def dashboard(db) -> Project:
    return Project.objects.create(name="Auth0 Dashboard")


class BearerClient(APIClient):
    """An API client that sends one bearer token on every request."""

    def as_token(self, token: str | None) -> BearerClient:
        if token is None:
            self.credentials()
        else:
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return self


@pytest.fixture
def api() -> BearerClient:
    return BearerClient()


@pytest.fixture
def as_user(api: BearerClient, make_token: TokenFactory):
    """as_user(alice, scopes=[...]) -> a client carrying a token for that person."""

    def _as(user: User, scopes: tuple[str, ...] | list[str] = ALL_SCOPES[:4]) -> BearerClient:
        client = BearerClient()
        return client.as_token(make_token(sub=user.sub, email=user.email, scopes=scopes))

    return _as


@pytest.fixture
def as_machine(make_token: TokenFactory):
    def _as(client_id: str = "batch-client", scopes: tuple[str, ...] | list[str] = ("batch:upload",)) -> BearerClient:
        token = make_token(
            sub=f"{client_id}@clients",
            scopes=scopes,
            gty="client-credentials",
            azp=client_id,
            aud="https://api.exampleco.com/timesheets",
        )
        return BearerClient().as_token(token)

    return _as


@pytest.fixture(autouse=True)
def fresh_authn_caches() -> Iterator[None]:
    """Each test starts with empty per-process token and user caches (rows from earlier tests are gone)."""
    caches.clear()
    yield
    caches.clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests served over real HTTP by pytest's live server are `live`: `make test-fast` leaves them out.

    Tests that start gunicorn or run Django in a child process carry the marker in their module.
    """
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.live)
