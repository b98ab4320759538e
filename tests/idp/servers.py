"""Run the app as a real server in a subprocess, with its own environment and SQLite file.

Used to test external mode: one process is the identity provider, another the
API configured to trust it, talking over HTTP exactly as with Auth0.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Variables of the test process that must not leak into a server's configuration.
_CLEARED = ("DATABASE_URL", "AUTH0_DOMAIN", "OIDC_ISSUER", "PUBLIC_URL", "VAR_DIR", "SECRET_KEY", "ALLOWED_HOSTS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """manage.py and gunicorn in a temporary directory; `stop()` always ends the process."""

    def __init__(self, workdir: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {key: value for key, value in os.environ.items() if key not in _CLEARED}
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            VAR_DIR=str(workdir),
            DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
            PUBLIC_URL=self.url,
            SECRET_KEY="test-" + "x" * 50,
            JWKS_MIN_REFETCH_SECONDS="0",
            **env,
        )
        self.log = workdir / "server.log"
        self.process: subprocess.Popen | None = None
        self.tenant_output = ""

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def demo_tenant(self) -> dict:
        return json.loads(self.manage("demo_tenant", "--json"))

    def start(self) -> None:
        """Serve (the caller has migrated the database)."""
        with self.log.open("w") as log:
            argv = [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
            self.process = subprocess.Popen(
                [*argv, "--workers", "1", "--threads", "4"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still loading
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None
