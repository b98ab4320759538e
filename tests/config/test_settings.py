"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_hostname, env_int, env_list, env_url


def test_env_bool(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", True) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env_bool("FLAG")


def test_env_int(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 1) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="N must be an integer"):
        env_int("N", 1)
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured, match=">= 0"):
        env_int("N", 1, minimum=0)


def test_env_list_and_urls(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("URL", "https://timesheets.example/")
    assert env_url("URL") == "https://timesheets.example"
    monkeypatch.setenv("URL", "timesheets.example")
    with pytest.raises(ImproperlyConfigured, match="absolute"):
        env_url("URL")
    monkeypatch.setenv("DOMAIN", "https://abc.auth0.com")
    with pytest.raises(ImproperlyConfigured, match="bare domain"):
        env_hostname("DOMAIN")


def _settings_in_child(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"AUTH0_DOMAIN", "OIDC_ISSUER", "JWT_ALGORITHMS"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.TOKEN_ISSUER, settings.EMBEDDED_IDP)",
        ],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.live
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AUTH0_DOMAIN": "abc.auth0.com", "OIDC_ISSUER": "https://idp.example/"}, "not both"),
        ({"JWT_ALGORITHMS": "HS256"}, "JWT_HS256_SECRET"),
        ({"JWT_ALGORITHMS": "none"}, "JWT_ALGORITHMS"),
        ({"DEBUG": "sometimes"}, "DEBUG must be a boolean"),
        ({"PUBLIC_URL": "127.0.0.1:8000"}, "PUBLIC_URL must be an absolute"),
        ({"REQUIRE_WEEK_SUBMISSION": "maybe"}, "REQUIRE_WEEK_SUBMISSION must be a boolean"),
        ({"EXPECTED_HOURS_PER_WEEK": "-1"}, "EXPECTED_HOURS_PER_WEEK must be >= 0"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be an integer"),
        ({"EMAIL_USE_TLS": "sure"}, "EMAIL_USE_TLS must be a boolean"),
    ],
)
def test_bad_configuration_stops_the_process(tmp_path, env, message):
    result = _settings_in_child(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.live
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000/ True"),
        ({"PUBLIC_URL": "https://time.example.com/"}, "https://time.example.com/ True"),
        ({"AUTH0_DOMAIN": "abc.eu.auth0.com"}, "https://abc.eu.auth0.com/ False"),
        ({"OIDC_ISSUER": "https://login.example.com/realms/abc"}, "https://login.example.com/realms/abc False"),
    ],
)
def test_issuer_selection(tmp_path, env, expected):
    result = _settings_in_child(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.live
def test_secret_key_is_generated_once_and_kept(tmp_path):
    script = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)

    def run() -> str:
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    first = run()
    assert len(first) >= 50
    assert run() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.live
def test_mail_goes_to_the_console_unless_an_smtp_host_is_set(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.REQUIRE_WEEK_SUBMISSION)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    base.update({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)})

    def run(**env: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", script],
            env={**base, **env},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert run() == "django.core.mail.backends.console.EmailBackend 25 False False"
    assert (
        run(EMAIL_HOST="smtp.example.com", EMAIL_PORT="587", EMAIL_USE_TLS="1", REQUIRE_WEEK_SUBMISSION="1")
        == "django.core.mail.backends.smtp.EmailBackend 587 True True"
    )
