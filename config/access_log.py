"""gunicorn's access log without credentials (gunicorn.conf.py names this logger).

A request line holds the query string, and OAuth puts credentials there: the
authorization code on the way back to a client (`/callback?code=…`), an ID token
at `/oidc/logout?id_token_hint=…`, and whatever a careless client sends. The values
of such parameters are replaced before a line is written, in the request line,
the query string and the Referer (a page reached with `?code=…` sends that URL
as the Referer of what it loads next); credential headers are never logged.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
SENSITIVE_PARAMETERS = frozenset(
    {
        "access_token",
        "client_secret",
        "code",
        "code_verifier",
        "id_token",
        "id_token_hint",
        "password",
        "refresh_token",
        "token",
    }
)
SENSITIVE_HEADERS = ("{authorization}i", "{cookie}i", "{set-cookie}o", "{proxy-authorization}i")


def redact_query(query: str) -> str:
    """`query` with the values of sensitive parameters replaced (everything else byte for byte)."""
    if not query:
        return query
    parts = []
    for part in query.split("&"):
        name, _sep, _value = part.partition("=")
        if unquote_plus(name).strip().lower() in SENSITIVE_PARAMETERS:
            part = f"{name}={REDACTED}"
        parts.append(part)
    return "&".join(parts)


def redact_url(url: str) -> str:
    base, sep, query = url.partition("?")
    return f"{base}{sep}{redact_query(query)}" if sep else url


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = "{} {} {}".format(
            environ["REQUEST_METHOD"], redact_url(environ["RAW_URI"]), environ["SERVER_PROTOCOL"]
        )
        atoms["q"] = redact_query(atoms.get("q") or "")
        atoms["f"] = redact_url(atoms.get("f") or "-")
        if "{referer}i" in atoms:
            atoms["{referer}i"] = redact_url(atoms["{referer}i"])
        for header in SENSITIVE_HEADERS:
            if header in atoms:
                atoms[header] = REDACTED
        for key in [key for key in atoms if key.endswith("}e")]:
            if key in ("{raw_uri}e", "{query_string}e", "{http_referer}e"):
                atoms[key] = redact_url(atoms[key])
            elif key in ("{http_authorization}e", "{http_cookie}e"):
                atoms[key] = REDACTED
        return atoms
