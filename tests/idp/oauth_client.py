"""A small OAuth client for the tests: it talks to the embedded issuer over real HTTP, like the PWA."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

READ = "read:timesheets"
CREATE = "create:timesheets"
APPROVE = "approve:timesheets"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def login_form(page: requests.Response) -> tuple[str, str]:
    """(form action, CSRF token) of the sign-in page."""
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert csrf and action, page.text[:500]
    return html.unescape(action.group(1)), csrf.group(1)


@dataclass
class AuthorizationRequest:
    base: str
    client_id: str
    redirect_uri: str
    audience: str | None
    scope: str = f"openid profile email offline_access {READ} {CREATE}"
    state: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    extra: dict[str, str] = field(default_factory=dict)
    pkce: bool = True

    def __post_init__(self) -> None:
        self.verifier, self.challenge = pkce_pair()
        self.session = requests.Session()

    def params(self) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
        }
        if self.audience:
            params["audience"] = self.audience
        if self.pkce:
            params.update(code_challenge=self.challenge, code_challenge_method="S256")
        params.update(self.extra)
        return {key: value for key, value in params.items() if value is not None}

    def open(self) -> requests.Response:
        return self.session.get(f"{self.base}/authorize", params=self.params(), allow_redirects=False)

    def sign_in(self, username: str, password: str, page: requests.Response | None = None) -> requests.Response:
        page = page or self.open()
        assert page.status_code == 200, page.text[:500]
        action, csrf = login_form(page)
        return self.session.post(
            urljoin(self.base + "/", action),
            data={"csrfmiddlewaretoken": csrf, "username": username, "password": password},
            allow_redirects=False,
        )

    def code_for(self, username: str, password: str) -> dict[str, str]:
        """Sign in and follow the flow to the client's redirect; the callback's query parameters."""
        response = self.sign_in(username, password)
        assert response.status_code == 303, response.text[:500]
        response = self.session.get(urljoin(self.base + "/", response.headers["Location"]), allow_redirects=False)
        assert response.status_code == 302, response.text[:500]
        location = response.headers["Location"]
        assert location.startswith(self.redirect_uri + "?"), location
        return query_of(location)

    def exchange(self, code: str, **overrides: str) -> requests.Response:
        data = {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self.verifier,
            **overrides,
        }
        return requests.post(f"{self.base}/oauth/token", data={k: v for k, v in data.items() if v is not None})


def refresh(base: str, client_id: str, refresh_token: str) -> requests.Response:
    return requests.post(
        f"{base}/oauth/token",
        json={"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token},
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
