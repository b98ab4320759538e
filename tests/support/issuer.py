"""A stand-in token issuer for the API tests: real RSA keys, a real HTTP JWKS endpoint.

The API fetches keys from it over HTTP exactly as it would from Auth0 or the
embedded issuer. It can rotate keys, and stop answering, to test the JWKS cache.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    @classmethod
    def generate(cls, kid: str) -> SigningKey:
        return cls(kid=kid, private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


class IssuerServer:
    """Serves /.well-known/jwks.json (and a discovery document naming it) on 127.0.0.1 from a thread.

    The discovery document lets a server configured with OIDC_ISSUER find the
    keys the way it finds any OIDC provider's (the bench runs gunicorn so).
    Tests stop it.
    """

    def __init__(self, keys: list[SigningKey]) -> None:
        self.keys = list(keys)
        self.jwks_requests = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def publish(self, keys: list[SigningKey]) -> None:
        self.keys = list(keys)

    def start(self) -> None:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    document = {"issuer": issuer.url, "jwks_uri": issuer.url + ".well-known/jwks.json"}
                elif self.path == "/.well-known/jwks.json":
                    issuer.jwks_requests += 1
                    document = {"keys": [k.public_jwk() for k in issuer.keys]}
                else:
                    self.send_error(404)
                    return
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@dataclass
class TokenFactory:
    """Mints access tokens the way Auth0 shapes them."""

    issuer: str
    audience: str
    key: SigningKey
    email_claim: str

    def __call__(
        self,
        *,
        sub: str = "auth0|alice",
        scopes: list[str] | tuple[str, ...] = (),
        email: str | None = None,
        key: SigningKey | None = None,
        lifetime: int = 600,
        headers: dict[str, Any] | None = None,
        algorithm: str = "RS256",
        secret: str | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "sub": sub,
            "aud": [self.audience, self.issuer + "userinfo"],
            "iat": now,
            "exp": now + lifetime,
            "azp": "test-client",
            "scope": " ".join(scopes),
            "jti": uuid.uuid4().hex,
        }
        if email is not None:
            payload[self.email_claim] = email
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        signing_key = key or self.key
        if algorithm == "HS256":
            return jwt.encode(payload, secret, algorithm="HS256", headers=headers)
        return jwt.encode(
            payload, signing_key.private_key, algorithm=algorithm, headers={"kid": signing_key.kid, **(headers or {})}
        )
