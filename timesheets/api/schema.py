"""OpenAPI: every operation names the scope it needs; security schemes point at the configured issuer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema

from authn.issuer import DiscoveryUnavailable, issuer_endpoints
from authn.permissions import declared_scopes

SCOPE_DESCRIPTIONS = {
    "read:timesheets": "Read your own entries, profile and projects",
    "create:timesheets": "Log and edit your own entries",
    "delete:timesheets": "Delete your own entries",
    "approve:timesheets": "Approve or reject other people's entries",
    "batch:upload": "Upload entries for any employee (machine clients)",
    "openid": "Sign in (ID token)",
    "profile": "Your name and picture in the ID token",
    "email": "Your email in the ID token",
    "offline_access": "A refresh token",
}


class ScopedAutoSchema(AutoSchema):
    def get_auth(self) -> list[dict[str, list[str]]]:
        scopes = declared_scopes(self.view, self.method)
        if scopes is None:
            return []
        return [{"oauth2": scopes}, {"bearerAuth": []}]

    def get_description(self) -> str:
        description = super().get_description() or ""
        scopes = declared_scopes(self.view, self.method)
        if scopes:
            description = (
                (description + "\n\n" if description else "") + "Scope: " + ", ".join(f"`{s}`" for s in scopes)
            )
        return description


def add_security_schemes(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    try:
        endpoints = issuer_endpoints()
        authorize_url, token_url = endpoints.authorization_endpoint, endpoints.token_endpoint
    except DiscoveryUnavailable:
        base = settings.TOKEN_ISSUER.rstrip("/")
        authorize_url, token_url = f"{base}/authorize", f"{base}/oauth/token"
    api_scopes = {k: v for k, v in SCOPE_DESCRIPTIONS.items() if ":" in k}
    result.setdefault("components", {})["securitySchemes"] = {
        "oauth2": {
            "type": "oauth2",
            "description": f"Access tokens for the audience `{settings.AUTH0_AUDIENCE}` (send it as `audience`).",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": authorize_url,
                    "tokenUrl": token_url,
                    "scopes": SCOPE_DESCRIPTIONS,
                },
                "clientCredentials": {"tokenUrl": token_url, "scopes": api_scopes},
            },
        },
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    }
    return result
