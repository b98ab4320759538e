"""The PostgreSQL backend's health check (config/postgresql): no round trip for an idle, live connection.

Checked against a real server: what the server last received from a connection is read from
pg_stat_activity through a second connection.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoDatabaseWrapper

on_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="the backend is PostgreSQL's; these tests run on PostgreSQL (.ci/run)",
)


@pytest.fixture
def observer() -> Iterator:
    """A second connection to the same database, to see and act on the first from the server's side."""
    other = connections.create_connection("default")
    yield other
    other.close()


def _last_query_of(observer, pid: int) -> str:
    with observer.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else ""


def _until_readable(raw_connection) -> None:
    poller = select.poll()
    poller.register(raw_connection.fileno(), select.POLLIN)
    assert poller.poll(10_000), "the server sent nothing within 10 s"


def _backend_pid() -> int:
    return connection.connection.info.backend_pid


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_idle_live_connection_is_usable_without_a_round_trip(observer):
    marker = f"SELECT 'health check test {uuid.uuid4()}'"
    with connection.cursor() as cursor:
        cursor.execute(marker)
    pid = _backend_pid()
    assert type(connections["default"]).__module__ == "config.postgresql.base"

    assert connection.is_usable() is True
    assert _last_query_of(observer, pid) == marker

    # What Django's own check costs, seen the same way: a SELECT 1 sent to the server.
    assert DjangoDatabaseWrapper.is_usable(connections["default"]) is True
    assert _last_query_of(observer, pid) == "SELECT 1"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_before_its_next_query(observer):
    connection.ensure_connection()
    ended_pid = _backend_pid()
    raw_connection = connection.connection
    with observer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended_pid])
    _until_readable(raw_connection)  # the server's FATAL error, then the end of the socket

    assert connection.is_usable() is False

    # As at the start of a request (CONN_HEALTH_CHECKS): the first query finds the connection unusable,
    # and Django opens a new one instead of failing the request.
    connection.health_check_enabled, connection.health_check_done = True, False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    assert pid != ended_pid
    assert connection.connection is not raw_connection


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_with_something_to_read_gets_the_full_check(observer):
    channel = f"health_{uuid.uuid4().hex}"
    with connection.cursor() as cursor:
        cursor.execute(f"LISTEN {channel}")
    pid = _backend_pid()
    with observer.cursor() as cursor:
        cursor.execute(f"NOTIFY {channel}")
    _until_readable(connection.connection)

    assert connection.is_usable() is True
    assert _last_query_of(observer, pid) == "SELECT 1"
    with connection.cursor() as cursor:
        cursor.execute(f"UNLISTEN {channel}")


@pytest.mark.live
@pytest.mark.parametrize(
    ("database_url", "engine"),
    [
        ("postgres://postgres@127.0.0.1:5432/abc", "config.postgresql"),
        ("postgresql://postgres@127.0.0.1:5432/abc", "config.postgresql"),
        ("sqlite:////tmp/abc.sqlite3", "django.db.backends.sqlite3"),
    ],
)
def test_a_postgresql_url_selects_this_backend(tmp_path, database_url, engine):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine
