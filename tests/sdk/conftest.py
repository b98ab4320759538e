"""Auth0's own SDKs against the embedded issuer, unchanged.

The app (issuer and API) is pytest-django's live server at http://localhost:P1.
A browser app is a static page on a second origin, http://localhost:P2, served
by a small http.server thread: it loads auth0-spa-js's production bundle from
node_modules (package.json pins it; `make test` runs `npm ci`). Both origins are
on the same site, as an app and its issuer on a custom domain are
(app.example.com and login.example.com): the issuer's session cookie (SameSite=Lax)
then reaches the silent-authentication iframe.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from idp.models import AppType
from idp.tenant import public_app_ensure
from tests.support.tenant import demo_tenant_json, serve_embedded_issuer_at

ROOT = Path(__file__).resolve().parents[2]
SPA_JS = ROOT / "node_modules" / "@auth0" / "auth0-spa-js" / "dist" / "auth0-spa-js.production.js"
CHROMIUM = "/usr/bin/chromium"
SPA_CLIENT_ID = "sdk-test-spa"
SPA_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>SPA on another origin</title>
<script src="/auth0-spa-js.production.js"></script></head>
<body>
<button id="popup" type="button">Sign in with a popup</button>
<script>
  window.makeClient = (extra) => auth0.createAuth0Client(Object.assign({
    domain: CONFIG.issuer, clientId: CONFIG.clientId,
    authorizationParams: { redirect_uri: CONFIG.redirectUri, audience: CONFIG.audience, scope: CONFIG.scope },
  }, extra || {}));
  document.getElementById("popup").addEventListener("click", async () => {
    window.popupResult = null;
    try {
      const client = await makeClient();
      await client.loginWithPopup();
      window.popupResult = { user: await client.getUser() };
    } catch (error) { window.popupResult = { error: error.error || String(error) }; }
  });
</script>
<script src="/config.js"></script>
</body>
</html>
"""


@dataclass
class SpaSite:
    """The browser app's origin and its registration at the issuer."""

    origin: str
    issuer_base: str
    audience: str
    client_id: str
    passwords: dict[str, str]

    @property
    def redirect_uri(self) -> str:
        return self.origin + "/"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="session")
def spa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """A static file server on 127.0.0.1 (the page's origin), stopped after the session."""
    if not SPA_JS.exists():
        pytest.fail(f"{SPA_JS} is missing: `make test` installs it (npm ci, package-lock.json).")
    root = tmp_path_factory.mktemp("spa")
    shutil.copy(SPA_JS, root / SPA_JS.name)
    (root / "index.html").write_text(SPA_PAGE)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def issuer(live_server, settings) -> dict[str, Any]:
    """The embedded issuer at the live server's URL with the demo tenant, as `make run` sets it up."""
    serve_embedded_issuer_at(settings, live_server.url)
    return demo_tenant_json()


@pytest.fixture
def spa(issuer: dict[str, Any], spa_server: tuple[Path, int], live_server) -> SpaSite:
    """A Single Page Application registered as an integrator would: callback, logout URL, web origin."""
    root, port = spa_server
    origin = f"http://localhost:{port}"
    public_app_ensure(
        client_id=SPA_CLIENT_ID,
        name="SPA on another origin",
        app_type=AppType.SPA,
        redirect_uris=[origin + "/"],
        logout_urls=[origin + "/"],
        web_origins=[origin],
    )
    site = SpaSite(
        origin=origin,
        issuer_base=live_server.url,
        audience=issuer["audience"],
        client_id=SPA_CLIENT_ID,
        passwords={user["username"]: user["password"] for user in issuer["users"]},
    )
    config = {
        "issuer": site.issuer_base,
        "clientId": site.client_id,
        "redirectUri": site.redirect_uri,
        "audience": site.audience,
        "scope": "openid profile email offline_access read:timesheets",
    }
    import json

    (root / "config.js").write_text(f"window.CONFIG = {json.dumps(config)};\n")
    return site


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (`make browser`).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"],
    }
