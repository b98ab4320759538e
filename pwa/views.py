"""The phone app's server side: the shell, its manifest, service worker and configuration.

Everything the app runs is static (plain ES modules, CSS, PNG icons under
pwa/static/pwa/) served by whitenoise under hashed names. The views here only
add what must live at fixed URLs: the shell at `/` (and `/callback`, the OAuth
redirect URI), `/manifest.webmanifest`, `/sw.js` (root scope) and the app's
settings at `/pwa/config.json`: how to sign in, the entry limits the server
enforces and the scopes in words, so the JS keeps no copy of a server rule.
"""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from timesheets.models import MAX_HOURS_PER_DAY, Entry
from timesheets.services import MAX_NOTES_LENGTH

APP_STATIC_DIR = Path(__file__).resolve().parent / "static"
APP_PREFIX = "pwa/"
ENTRY_MODULE = "pwa/js/app.js"
STYLESHEET = "pwa/app.css"
CONFIG_PATH = "/pwa/config.json"
MANIFEST_PATH = "/manifest.webmanifest"
THEME_COLOR = "#1f4e79"
BACKGROUND_COLOR = "#f4f6f9"

# The API scopes an employee's phone asks for; the issuer grants the subset the
# user's roles allow, and the app shows Approvals only when it gets approve:timesheets.
PWA_SCOPES = (
    "openid profile email offline_access read:timesheets create:timesheets delete:timesheets approve:timesheets"
)

# The API's scopes in words, for the profile screen ("This app may …"): what each
# permission lets the person do, said as the person would.
SCOPE_LABELS = {
    "read:timesheets": "See the time you have logged, your weeks and whether they are approved",
    "create:timesheets": "Log time, change it, run a timer and submit your weeks",
    "delete:timesheets": "Delete time you logged that is not yet approved",
    "approve:timesheets": "Approve or reject the time and weeks your team submits",
    "batch:upload": "Upload time for other people from another system",
    "offline_access": "Stay signed in on this phone, so time logged offline still syncs",
}

# Hours are logged in quarter hours: the model's `entry_hours_quarters` constraint
# and validate_hours() enforce it; timesheets exposes no public name for the step yet.
HOURS_STEP = Decimal("0.25")

ICONS = [
    {"src": "pwa/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "pwa/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "pwa/icons/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
]


def _app_static_names() -> list[str]:
    """Every file the app ships (JS modules, CSS, icons), as static names like 'pwa/js/app.js'."""
    root = APP_STATIC_DIR / "pwa"
    return sorted(
        f"{APP_PREFIX}{path.relative_to(root).as_posix()}"
        for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


@cache
def _module_names() -> tuple[str, ...]:
    return tuple(name for name in _app_static_names() if name.endswith(".js"))


def _import_map() -> str:
    """Maps each module's plain URL to its hashed one.

    The modules import each other by relative plain names ("./api.js"); the
    browser resolves those against the hashed URL of the importing module (same
    folder), then this map sends it to the hashed file, so every module is
    cached forever and no build step rewrites imports.
    """
    imports = {f"{settings.STATIC_URL}{name}": static(name) for name in _module_names()}
    return json.dumps({"imports": imports}, separators=(",", ":"), sort_keys=True)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _content_security_policy(inline_script: str) -> str:
    # The import map is the only inline script: allowed by its hash, nothing else.
    digest = base64.b64encode(hashlib.sha256(inline_script.encode()).digest()).decode()
    issuer_origin = _origin(settings.TOKEN_ISSUER)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'sha256-{digest}'",
            f"connect-src 'self' {issuer_origin}",
            # The profile picture comes from the ID token and may live on any https host.
            "img-src 'self' data: https:",
            "style-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ]
    )


@require_safe
def shell(request: HttpRequest) -> HttpResponse:
    """The app shell. Also served at /callback: the app finishes the sign-in there."""
    import_map = _import_map()
    html = render_to_string(
        "pwa/shell.html",
        {
            "import_map": import_map,
            "entry_module": static(ENTRY_MODULE),
            "stylesheet": static(STYLESHEET),
            "icon": static("pwa/icons/icon-192.png"),
            "manifest_url": MANIFEST_PATH,
            "config_url": CONFIG_PATH,
            "theme_color": THEME_COLOR,
        },
        request=request,
    )
    response = HttpResponse(html)
    response["Content-Security-Policy"] = _content_security_policy(import_map)
    # Revalidate each time: the shell names the current hashed assets.
    response["Cache-Control"] = "no-cache"
    return response


def _entry_limits() -> dict[str, float | int | None]:
    """The entry rules the server enforces, so the app checks input against the same numbers."""
    return {
        "max_hours_per_day": float(MAX_HOURS_PER_DAY),
        "hours_step": float(HOURS_STEP),
        "max_notes_length": MAX_NOTES_LENGTH,
        "max_comment_length": Entry._meta.get_field("decision_comment").max_length,
        # Dates (timesheets/services/dates.py): the server refuses beyond these; the app asks past confirm_days_back.
        "max_days_ahead": settings.ENTRY_MAX_DAYS_AHEAD,
        "max_days_back": settings.ENTRY_MAX_DAYS_BACK,
        "confirm_days_back": settings.PWA_CONFIRM_DAYS_BACK,
    }


def _pwa_config() -> dict[str, Any]:
    return {
        "issuer": settings.TOKEN_ISSUER,
        "client_id": settings.PWA_CLIENT_ID,
        "audience": settings.AUTH0_AUDIENCE,
        "scope": PWA_SCOPES,
        "redirect_uri": f"{settings.PUBLIC_URL}/callback",
        "post_logout_redirect_uri": f"{settings.PUBLIC_URL}/",
        "api_base": "/api",
        "limits": _entry_limits(),
        "scope_labels": SCOPE_LABELS,
    }


@require_safe
def config(request: HttpRequest) -> JsonResponse:
    """What the app needs: how to sign in (issuer, client, audience, scopes), the entry limits, the scopes in words."""
    response = JsonResponse(_pwa_config())
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    body = {
        "id": "/",
        "name": "ABC Timesheets",
        "short_name": "Timesheets",
        "description": "Log your working time, also offline.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        # No orientation: the app works upright and sideways (the week goes two columns in landscape).
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [{**icon, "src": static(icon["src"])} for icon in ICONS],
    }
    response = JsonResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


def _precache_urls() -> list[str]:
    return ["/", CONFIG_PATH, MANIFEST_PATH, *(static(name) for name in _app_static_names())]


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    precache = _precache_urls()
    # The hashed names change with any asset, so a new deploy means a new worker.
    version = hashlib.sha256("\n".join(precache).encode()).hexdigest()[:16]
    script = render_to_string(
        "pwa/sw.js",
        {
            "version": version,
            "precache_json": json.dumps(precache),
            "config_path_json": json.dumps(CONFIG_PATH),
            "manifest_path_json": json.dumps(MANIFEST_PATH),
            "static_prefix_json": json.dumps(settings.STATIC_URL),
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on each navigation; never let a cache hide one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
