"""Every password check shares one set of sign-in limits, and the limits cannot be raced (issue 9, items 1 and 2)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connection

from authn.models import User
from idp import throttle
from tests.idp.conftest import Tenant, tenant_at
from tests.idp.oauth_client import login_form
from tests.idp.servers import AppServer

WRONG = "not-the-password"


class AdminBrowser:
    """Django's admin sign-in over HTTP, as a browser posts it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def sign_in(self, username: str, password: str) -> requests.Response:
        page = self.session.get(f"{self.base}/admin/login/", params={"next": "/admin/"})
        assert page.status_code == 200, page.text[:300]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.session.post(
            f"{self.base}/admin/login/?next=/admin/",
            data={"csrfmiddlewaretoken": csrf, "username": username, "password": password, "next": "/admin/"},
            allow_redirects=False,
        )


def signed_in_to_admin(response: requests.Response) -> bool:
    return response.status_code == 302 and response.headers["Location"] == "/admin/"


@pytest.fixture
def tenant(live_server, settings) -> Tenant:
    return tenant_at(live_server, settings)


@pytest.fixture
def carol_is_staff(tenant: Tenant) -> str:
    User.objects.filter(username="carol").update(is_staff=True)
    return tenant.passwords["carol"]


def test_admin_sign_in_is_throttled_per_account(tenant: Tenant, carol_is_staff: str, settings) -> None:
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    admin = AdminBrowser(tenant.base)
    assert signed_in_to_admin(AdminBrowser(tenant.base).sign_in("carol", carol_is_staff))
    for _ in range(3):
        assert admin.sign_in("carol", WRONG).status_code == 200  # the form again, with an error
    locked = admin.sign_in("carol", carol_is_staff)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.text
    assert "sessionid" not in admin.session.cookies


def test_admin_sign_in_is_throttled_per_address(tenant: Tenant, carol_is_staff: str, settings) -> None:
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 100
    settings.IDP_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    admin = AdminBrowser(tenant.base)
    for name in ("u1", "u2", "u3", "u4"):
        assert admin.sign_in(name, WRONG).status_code == 200
    assert admin.sign_in("carol", carol_is_staff).status_code == 429


def test_an_account_locked_at_authorize_is_locked_at_the_admin(tenant: Tenant, carol_is_staff: str, settings) -> None:
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    flow = tenant.authorization()
    for _ in range(3):
        assert flow.sign_in("carol", WRONG).status_code == 400
    assert flow.sign_in("carol", carol_is_staff).status_code == 429
    assert AdminBrowser(tenant.base).sign_in("carol", carol_is_staff).status_code == 429


def test_an_account_locked_at_the_admin_is_locked_at_authorize(tenant: Tenant, carol_is_staff: str, settings) -> None:
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    admin = AdminBrowser(tenant.base)
    for _ in range(3):
        admin.sign_in("carol", WRONG)
    assert tenant.authorization().sign_in("carol", carol_is_staff).status_code == 429


def test_every_django_password_check_is_throttled(db, settings) -> None:
    """Any `authenticate()` with a password (management code, Client.login) meets the same limits."""
    from django.contrib.auth import authenticate

    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 2
    user = User.objects.create(username="dave", sub="auth0|dave", email="dave@abc.example")
    user.set_password("dave-secret-123")
    user.save()
    assert authenticate(None, username="dave", password=WRONG) is None
    assert authenticate(None, username="dave", password=WRONG) is None
    assert authenticate(None, username="dave", password="dave-secret-123") is None  # locked


def test_admin_password_sign_in_is_throttled_with_an_external_issuer(tmp_path: Path) -> None:
    """With OIDC_ISSUER the admin still offers Django's password sign-in (superusers): same limits."""
    server = AppServer(
        tmp_path / "api",
        OIDC_ISSUER="https://login.example.com/",
        IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT="2",
    )
    server.manage("migrate", "--noinput")
    server.manage("collectstatic", "--noinput", "--verbosity", "0")
    server.env["DJANGO_SUPERUSER_PASSWORD"] = "root-secret-123"
    server.manage("createsuperuser", "--noinput", "--username", "root", "--email", "root@abc.example")
    server.start()
    try:
        admin = AdminBrowser(server.url)
        assert admin.sign_in("root", WRONG).status_code == 200
        assert admin.sign_in("root", WRONG).status_code == 200
        assert admin.sign_in("root", "root-secret-123").status_code == 429
    finally:
        server.stop()


# --- item 2: the limit holds under concurrency ------------------------------------------------------


@pytest.fixture
def slow_password_check(settings) -> None:
    """Production-like hashing cost (the race window is the password check)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def test_parallel_wrong_passwords_at_authorize_check_at_most_the_limit(
    tenant: Tenant, settings, slow_password_check
) -> None:
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    settings.IDP_LOGIN_MAX_FAILURES_PER_ADDRESS = 1000
    alice = User.objects.get(username="alice")
    alice.set_password(tenant.passwords["alice"])  # hashed with PBKDF2 now
    alice.save()

    flows = [tenant.authorization() for _ in range(30)]
    forms = [login_form(flow.open()) for flow in flows]
    start = threading.Barrier(len(flows))

    def guess(index: int) -> int:
        flow = flows[index]
        action, csrf = forms[index]
        start.wait()
        return flow.session.post(
            tenant.base + action,
            data={"csrfmiddlewaretoken": csrf, "username": "alice", "password": f"guess-{index}"},
            allow_redirects=False,
        ).status_code

    with ThreadPoolExecutor(max_workers=len(flows)) as pool:
        statuses = list(pool.map(guess, range(len(flows))))
    assert sorted(set(statuses)) == [400, 429]
    assert statuses.count(400) == 5, statuses  # checked against the password: exactly the limit
    assert statuses.count(429) == 25


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_reserve_at_most_the_limit(settings) -> None:
    """The service-level gate with one database connection per thread (SQLite or PostgreSQL)."""
    settings.IDP_LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    settings.IDP_LOGIN_MAX_FAILURES_PER_ADDRESS = 7
    start = threading.Barrier(20)

    def attempt(index: int) -> bool:
        try:
            start.wait()
            # Half aim at one account, half at others: the account limit and the address limit both hold.
            subject = "alice" if index % 2 else f"user{index}"
            return throttle.begin_attempt(kind=throttle.PASSWORD, subject=subject, address="10.0.0.9") is not None
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        reserved = list(pool.map(attempt, range(20)))
    assert reserved.count(True) == 7
    reserved_for_alice = [ok for index, ok in enumerate(reserved) if index % 2]
    assert reserved_for_alice.count(True) <= 5


def test_the_counted_address_is_always_an_ip_address(rf, settings) -> None:
    settings.IDP_PROXY_COUNT = 1
    assert throttle.client_address(rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.7")) == "10.0.0.7"
    # A proxy that passed garbage through: the peer's address is counted instead (no database error).
    assert throttle.client_address(rf.get("/", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    settings.IDP_PROXY_COUNT = 0
    assert throttle.client_address(rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
