"""The wait for a subprocess server: patient with slow answers, quick to report a dead process."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.live import ServerDidNotStart, stop, wait_until_healthy


class SlowThenHealthy(BaseHTTPRequestHandler):
    """Stalls past the client's timeout for the first answers, errs once, then is healthy."""

    answers: list[str] = []

    def do_GET(self) -> None:
        SlowThenHealthy.answers.append(self.path)
        count = len(SlowThenHealthy.answers)
        if count <= 2:
            time.sleep(0.6)  # longer than the test's request timeout: the client gets a ReadTimeout
        status = 503 if count == 3 else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen]:
    """A live process standing in for the server process (it only has to stay alive)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    stop(process, timeout=5)


def test_read_timeouts_and_errors_mean_not_yet(sleeper, tmp_path: Path) -> None:
    SlowThenHealthy.answers = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowThenHealthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        wait_until_healthy(url, process=sleeper, log=tmp_path / "log", request_timeout=0.3, deadline_seconds=30)
    finally:
        server.shutdown()
        server.server_close()
    assert SlowThenHealthy.answers == ["/healthz"] * 4


def test_a_dead_process_fails_at_once_with_its_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; print('ImproperlyConfigured: no SECRET_KEY'); sys.exit(3)"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        process.wait(timeout=30)
    # "exited", not "did not answer within": it stopped on the dead process, not at the deadline.
    with pytest.raises(ServerDidNotStart, match=r"(?s)exited with status 3:.*ImproperlyConfigured: no SECRET_KEY"):
        wait_until_healthy("http://127.0.0.1:9", process=process, log=log, deadline_seconds=600)


def test_no_answer_until_the_deadline_fails_with_the_last_error(sleeper, tmp_path: Path) -> None:
    (tmp_path / "log").write_text("Booting worker")
    with pytest.raises(ServerDidNotStart, match=r"(?s)within 1 s \(last error ConnectionError\).*Booting worker"):
        wait_until_healthy("http://127.0.0.1:9", process=sleeper, log=tmp_path / "log", deadline_seconds=1)
