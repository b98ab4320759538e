"""The product as `make run` serves it (gunicorn, config.wsgi; bench.wsgi adds the write floor), one worker, pinned."""

from __future__ import annotations

import http.client
import importlib.util
import json
import re
import socket
import subprocess
import time
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_conf() -> ModuleType:
    """gunicorn.conf.py as gunicorn reads it: executed afresh, with the current environment (DATABASE_URL...)."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, *, port: int, env: dict[str, str], cpu: int | None, args: list[str], log: Path) -> None:
        self.port = port
        command = [str(ROOT / ".venv/bin/gunicorn"), "bench.wsgi", "--bind", f"127.0.0.1:{port}", *args]
        if cpu is not None:
            command = ["taskset", "-c", str(cpu), *command]
        self.command = command
        self._log = log.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {log}")
            try:
                if request(port, "GET", "/livez")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /livez within 60 s; see {log}")

    def wait_idle(self, timeout: float = 120) -> None:
        """Return once the server holds no client connection: every request it was sent is answered.

        wrk stops at its deadline with requests still queued or running at the server. A sync worker
        answers one request at a time, but a threaded one (gthread) runs several at once, so "one more
        request was answered" proves nothing; a socket of the server's port still ESTABLISHED or in
        CLOSE_WAIT (the client left, the server has not finished and closed) means work in flight.
        """
        deadline = time.monotonic() + timeout
        while self._open_connections():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server still holds connections after {timeout} s")
            time.sleep(0.01)

    def _open_connections(self) -> int:
        local = f"0100007F:{self.port:04X}"
        busy = 0
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            # st 01 ESTABLISHED, 08 CLOSE_WAIT: the listening socket (0A) and TIME_WAIT (06) hold no work
            busy += fields[1] == local and fields[3] in ("01", "08")
        return busy

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        if len(children) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {children}")
        return int(children[0])

    def reset_peak_rss(self) -> bool:
        """Reset the worker's VmHWM (Linux: write 5 to clear_refs); False where the kernel refuses."""
        try:
            Path(f"/proc/{self.worker_pid()}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def request(
    port: int, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes, list[str]]:
    """One HTTP request; returns status, headers (last value wins), body and every Set-Cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
        return response.status, dict(response.getheaders()), data, cookies
    finally:
        connection.close()


def request_json(port: int, method: str, path: str, *, token: str, payload: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    body = None
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload).encode()
    status, _, data, _ = request(port, method, path, headers=headers, body=body)
    return status, json.loads(data) if data else None


def _cookie(cookies: list[str], name: str) -> str:
    for header in cookies:
        if header.startswith(name + "="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError(f"no {name} cookie in {cookies}")


def admin_session_cookie(port: int, public_url: str, username: str, password: str) -> str:
    """Sign in at /admin/login/ the way a browser does (CSRF cookie and form token); the Cookie header."""
    status, _, page, cookies = request(port, "GET", "/admin/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or match is None:
        raise RuntimeError(f"admin login page: {status}")
    csrf = _cookie(cookies, "csrftoken")
    form = urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password, "next": "/admin/"}
    )
    status, _, _, cookies = request(
        port,
        "POST",
        "/admin/login/?next=/admin/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Origin": public_url,
            "Referer": public_url + "/admin/login/",
        },
        body=form.encode(),
    )
    if status != 302:
        raise RuntimeError(f"admin sign-in failed: {status}")
    return f"csrftoken={csrf}; sessionid={_cookie(cookies, 'sessionid')}"
