"""A small real HTTP proxy on 127.0.0.1 that can make one upload fail with 503.

It forwards every request to the target server. For the first `fail_uploads`
POSTs to /api/timesheets/upload it forwards the request (so the server writes the
chunk) and then answers 503 instead of the server's answer: the client sees a
failure for a chunk that was in fact written, the hardest case for exactly-once.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

UPLOAD_PATH = "/api/timesheets/upload"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}


class FailingProxy:
    def __init__(self, target: str, *, fail_uploads: int = 1) -> None:
        parts = urlsplit(target)
        self.target_host = parts.hostname or "127.0.0.1"
        self.target_port = parts.port or 80
        self.fail_uploads = fail_uploads
        self.uploads_seen = 0
        self.uploads_failed = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FailingProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream = http.client.HTTPConnection(proxy.target_host, proxy.target_port, timeout=300)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    payload = response.read()
                finally:
                    upstream.close()
                fail = False
                if self.command == "POST" and self.path.split("?")[0] == UPLOAD_PATH:
                    with proxy._lock:
                        proxy.uploads_seen += 1
                        if proxy.uploads_failed < proxy.fail_uploads:
                            proxy.uploads_failed += 1
                            fail = True
                if fail:
                    failure = b'{"error":"temporarily_unavailable"}'
                    self.send_response(503)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(failure)))
                    self.end_headers()
                    self.wfile.write(failure)
                    return
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _forward

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
