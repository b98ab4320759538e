"""Waiting for a server the tests started in a subprocess."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import requests

START_DEADLINE_SECONDS = 60.0


class ServerDidNotStart(RuntimeError):
    pass


def log_tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError as exc:
        return f"(no log: {exc})"


def wait_until_healthy(
    url: str,
    *,
    process: subprocess.Popen,
    log: Path,
    path: str = "/healthz",
    deadline_seconds: float = START_DEADLINE_SECONDS,
    request_timeout: float = 5.0,
) -> None:
    """Return once `url + path` answers 200; fail fast, with the log's tail, if the process died.

    On a loaded machine a server that has bound its port can still take seconds
    to answer: any request error (refused, reset, timed out) only means "not
    yet" until the deadline passes.
    """
    deadline = time.monotonic() + deadline_seconds
    last = "no answer yet"
    while True:
        if process.poll() is not None:
            raise ServerDidNotStart(f"the server exited with status {process.returncode}:\n{log_tail(log)}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServerDidNotStart(
                f"{url}{path} did not answer 200 within {deadline_seconds:.0f} s ({last}):\n{log_tail(log)}"
            )
        try:
            response = requests.get(f"{url}{path}", timeout=min(request_timeout, max(remaining, 0.1)))
            if response.status_code == 200:
                return
            last = f"last answer {response.status_code}"
        except requests.RequestException as exc:
            last = f"last error {type(exc).__name__}"
        time.sleep(0.2)


def stop(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """Terminate, then kill if it does not end in time; always reaps the process."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
