"""Admin sign-in: Django's own with the embedded issuer; through the issuer when it is external.

The external-issuer case runs two real servers: pytest's live server is the
embedded issuer (it plays Auth0), and a gunicorn subprocess with OIDC_ISSUER
pointing at it, its own SQLite file and its own port is the admin app. The
issuer runs at http://localhost:…, the admin app at http://127.0.0.1:…, so the
two keep separate cookies as two sites would.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.test import Client
from django.urls import NoReverseMatch, reverse
from oauth2_provider.models import get_application_model

from authn.issuer import reset_caches
from tests.support.tenant import demo_tenant_json, serve_embedded_issuer_at

ROOT = Path(__file__).resolve().parents[2]
ADMIN_CLIENT_ID = "timesheets-admin"
ADMIN_CLIENT_SECRET = "admin-sso-test-secret-0123456789abcdef"


def test_embedded_issuer_keeps_djangos_admin_sign_in(manager, settings) -> None:
    assert settings.EMBEDDED_IDP and not settings.ADMIN_SSO
    with pytest.raises(NoReverseMatch):
        reverse("admin_sso_login")
    client = Client()
    page = client.get("/admin/login/")
    assert 'name="password"' in page.content.decode() and "sso-login" not in page.content.decode()
    response = client.post("/admin/login/?next=/admin/", {"username": "carol", "password": "carol-pass-123"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/timesheets/entry/").status_code == 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def admin_app(live_server, tmp_path_factory) -> Iterator[dict]:
    """The admin app as a separate server trusting the live server as its external issuer."""
    var = tmp_path_factory.mktemp("admin-app")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OIDC_ISSUER": live_server.url + "/",
        "PUBLIC_URL": url,
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'admin.sqlite3'}",
        "ADMIN_OIDC_CLIENT_ID": ADMIN_CLIENT_ID,
        "ADMIN_OIDC_CLIENT_SECRET": ADMIN_CLIENT_SECRET,
        # Each test's issuer is a fresh tenant with a new signing key: let the app refetch keys at once.
        "JWKS_MIN_REFETCH_SECONDS": "0",
        "DEBUG": "0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or its first answer is slow on a busy machine: ask again
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the admin app did not start:\n" + (var / "server.log").read_text())
            time.sleep(0.2)
        yield {"url": url, "db": var / "admin.sqlite3", "log": var / "server.log"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def issuer_tenant(live_server, settings, admin_app, transactional_db) -> dict:
    """The live server as the embedded issuer, with the demo tenant and the admin's web application."""
    serve_embedded_issuer_at(settings, live_server.url)
    tenant = demo_tenant_json()
    application_model = get_application_model()
    application_model.objects.create(
        client_id=ADMIN_CLIENT_ID,
        client_secret=ADMIN_CLIENT_SECRET,  # stored hashed
        name="Timesheets admin",
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=f"{admin_app['url']}/admin/sso/callback/",
        algorithm=application_model.RS256_ALGORITHM,
        skip_authorization=True,
    )
    tenant["passwords"] = {u["username"]: u["password"] for u in tenant["users"]}
    yield tenant
    reset_caches()


def sign_in_through_issuer(admin_url: str, username: str, password: str) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    login_page = session.get(f"{admin_url}/admin/login/?next=/admin/", timeout=30)
    assert login_page.status_code == 200 and 'id="sso-login"' in login_page.text
    start = session.get(f"{admin_url}/admin/sso/login/?next=/admin/", timeout=30)
    assert start.status_code == 200 and 'name="password"' in start.text, start.text[:500]
    assert start.url.split("?")[0].endswith("/authorize")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', start.text).group(1)
    action = re.search(r'<form method="post" action="([^"]+)"', start.text).group(1).replace("&amp;", "&")
    finished = session.post(
        urljoin(start.url, action),
        data={"csrfmiddlewaretoken": csrf, "username": username, "password": password},
        timeout=30,
    )
    return session, finished


def admin_user_row(db: Path, username_or_email: str) -> tuple | None:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT sub, email, is_staff, is_superuser FROM authn_user WHERE email = ?", (username_or_email,)
        ).fetchone()


def test_manager_signs_in_to_the_admin_through_the_external_issuer(issuer_tenant, admin_app) -> None:
    session, finished = sign_in_through_issuer(admin_app["url"], "carol", issuer_tenant["passwords"]["carol"])
    assert finished.status_code == 200, admin_app["log"].read_text()[-3000:]
    assert finished.url == f"{admin_app['url']}/admin/"
    assert "Site administration" in finished.text and "Weekly summary" in finished.text
    assert session.get(f"{admin_app['url']}/admin/timesheets/entry/", timeout=30).status_code == 200
    sub, email, is_staff, is_superuser = admin_user_row(admin_app["db"], "carol@exampleco.com")
    assert sub.startswith("auth0|") and email == "carol@exampleco.com"
    assert (is_staff, is_superuser) == (1, 0)


def test_employee_is_refused_by_the_admin(issuer_tenant, admin_app) -> None:
    session, finished = sign_in_through_issuer(admin_app["url"], "alice", issuer_tenant["passwords"]["alice"])
    assert finished.url == f"{admin_app['url']}/admin/login/?sso=denied"
    assert "Only managers" in finished.text
    index = session.get(f"{admin_app['url']}/admin/", timeout=30, allow_redirects=False)
    assert index.status_code == 302 and "/admin/login/" in index.headers["Location"]
    row = admin_user_row(admin_app["db"], "alice@exampleco.com")
    assert row is None or row[2] == 0
