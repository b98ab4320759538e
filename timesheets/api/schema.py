"""OpenAPI: an exact description of what each operation takes and answers.

- Every operation names the scope it needs; security schemes point at the configured issuer.
- Every operation declares the errors it really gives, all with one body schema (`Error`): 401 and
  403 where a token is needed, 400 and 415 where a body or parameters are read, 404 where a path
  names a resource (or a cursor a page), 503 everywhere (the database or the issuer's keys out of
  reach). Views add the rest (409, the other 403s) with `error_response(...)`.
- Rules the server enforces are stated where JSON Schema can say them (see `add_rules`): hours
  (0 < h <= 24, quarter hours), text without NUL, names that are not blank, a rejection's comment.
  Rules that depend on stored data (an unknown project or employee, a day's 24 hours) cannot be;
  they are a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

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

# Text the API stores: no NUL character (PostgreSQL cannot store one). The parser refuses it anywhere.
TEXT_PATTERN = "^[^\\u0000]*$"
# The same, and not blank: at least one character that is not white space.
NON_BLANK_TEXT_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
HOURS_SCHEMA = {
    "type": "number",
    "format": "double",
    "minimum": 0,
    "exclusiveMinimum": True,
    "maximum": 24,
    "multipleOf": 0.25,
    "description": "Quarter hours, more than 0 and at most 24; one person's day holds at most 24.",
}
# A project named by id or by name (ids are positive; a name is not blank).
PROJECT_REF_SCHEMA = {
    "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": NON_BLANK_TEXT_PATTERN}],
    "description": "Project id or name (names match case-insensitively).",
}


class FieldErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the uploaded list (0 for a single object).")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers, in one shape."""

    error = serializers.CharField(
        help_text="Machine-readable code: `invalid_request`, `upload_rejected`, `invalid_token`, "
        "`insufficient_scope`, `self_approval`, `person_required`, `permission_denied`, `not_found`, "
        "`entry_locked`, `already_decided`, `precondition_failed`, `timer_running`, `timer_not_found`, "
        "`week_locked`, `week_incomplete`, `week_not_submitted`, `unsupported_media_type`, "
        "`temporarily_unavailable`."
    )
    error_description = serializers.CharField(help_text="What is wrong, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="`invalid_request`: the messages for each field or query parameter.",
    )
    items = FieldErrorSerializer(many=True, required=False, help_text="`upload_rejected`: each invalid item.")
    scope = serializers.CharField(required=False, help_text="`insufficient_scope`: the scope the operation needs.")
    current = serializers.DictField(
        required=False, help_text="`precondition_failed`: the entry as it is now (as GET shows it)."
    )
    timer = serializers.DictField(required=False, help_text="`timer_running`: the timer that runs.")


def error_response(description: str) -> OpenApiResponse:
    """An error answer for `@extend_schema(responses=...)`, with the shared body schema."""
    return OpenApiResponse(ErrorSerializer, description=description)


class OneOrMany:
    """A request or response body that is one `serializer_class` object or a list of them."""

    def __init__(self, serializer_class: type[serializers.Serializer], *, max_items: int | None = None) -> None:
        self.serializer_class = serializer_class
        self.max_items = max_items


_HEADER_WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "description": 'RFC 6750: `Bearer realm="…", error="invalid_token"` (401) '
        'or `error="insufficient_scope"` (403)',
    }
}
_HEADER_RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait before retrying."}
}
_ERROR_DESCRIPTIONS = {
    "400": "`invalid_request`: malformed JSON, or a field or query parameter the API does not accept (also a "
    "project that does not exist, a date beyond the date limits, or a day that would pass 24 hours); `fields` names "
    "each.",
    "401": "`invalid_token`: no bearer token, or one that is malformed, expired, not for this API or not signed "
    "by the trusted issuer.",
    "403": "`insufficient_scope`: the token lacks the scope this operation needs (`scope` names it).",
    "404": "`not_found`: no such resource, or somebody else's (ids do not leak).",
    "415": "`unsupported_media_type`: the body is not `application/json`.",
    "503": "`temporarily_unavailable`: the database or the issuer's keys cannot be reached; retry after "
    "`Retry-After` seconds.",
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

    def _one_or_many_schema(self, body: OneOrMany, direction: str) -> dict[str, Any]:
        component = self.resolve_serializer(body.serializer_class(), direction)
        many: dict[str, Any] = {"type": "array", "items": component.ref, "minItems": 1}
        if body.max_items is not None:
            many["maxItems"] = body.max_items
        return {"oneOf": [component.ref, many]}

    def _get_request_for_media_type(self, serializer: Any, direction: str = "request") -> tuple[Any, bool]:
        if isinstance(serializer, OneOrMany):
            return self._one_or_many_schema(serializer, direction), True
        return super()._get_request_for_media_type(serializer, direction)

    def _get_response_for_code(self, serializer: Any, status_code: str, media_types=None, direction="response"):
        if isinstance(serializer, OneOrMany):
            return super()._get_response_for_code(
                self._one_or_many_schema(serializer, direction), status_code, media_types, direction
            )
        return super()._get_response_for_code(serializer, status_code, media_types, direction)

    def _error_statuses(self) -> list[str]:
        statuses = ["503"]
        if declared_scopes(self.view, self.method) is not None:
            statuses += ["401", "403"]
        parameters = self._get_parameters()
        if self.method in ("POST", "PUT", "PATCH"):
            statuses += ["400", "415"]
        if any(p["in"] == "query" for p in parameters):
            statuses.append("400")
        if any(p["in"] == "path" for p in parameters) or any(p["name"] == "cursor" for p in parameters):
            statuses.append("404")
        return sorted(set(statuses))

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_statuses():
            if code not in responses:
                responses[code] = self._get_response_for_code(error_response(_ERROR_DESCRIPTIONS[code]), code)
        for code, headers in (("401", _HEADER_WWW_AUTHENTICATE), ("403", _HEADER_WWW_AUTHENTICATE)):
            if code in responses:
                responses[code].setdefault("headers", {}).update(headers)
        if "503" in responses:
            responses["503"].setdefault("headers", {}).update(_HEADER_RETRY_AFTER)
        return dict(sorted(responses.items()))


def _with_text_rules(schema: dict[str, Any], *, non_blank: frozenset[str]) -> None:
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly") or prop.get("type") != "string" or "enum" in prop or "format" in prop:
            continue
        prop.setdefault("pattern", NON_BLANK_TEXT_PATTERN if name in non_blank else TEXT_PATTERN)


def add_rules(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """State the server's input rules in the request schemas, where JSON Schema can say them."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in ("EntryInput", "PatchedEntryPatchInput", "UploadItemInput", "Entry"):
        if name in schemas:
            schemas[name]["properties"]["hours"] = (
                dict(HOURS_SCHEMA, readOnly=True) if name == "Entry" else HOURS_SCHEMA
            )
    for name in ("EntryInput", "PatchedEntryPatchInput", "UploadItemInput"):
        if name in schemas:
            schemas[name]["properties"]["project"] = PROJECT_REF_SCHEMA
    for name in ("EntryInput", "PatchedEntryPatchInput", "UploadItemInput", "DecisionInput", "CompatDecisionInput"):
        if name in schemas:
            _with_text_rules(schemas[name], non_blank=frozenset({"user_id"}))
    # A rejection needs a comment that is not blank.
    if "DecisionInput" in schemas:
        schemas["DecisionInput"]["oneOf"] = [
            {"properties": {"status": {"enum": ["approved"]}}},
            {
                "properties": {"status": {"enum": ["rejected"]}, "comment": {"pattern": NON_BLANK_TEXT_PATTERN}},
                "required": ["comment"],
            },
        ]
    if "CompatDecisionInput" in schemas:
        schemas["CompatDecisionInput"]["oneOf"] = [
            {"properties": {"approved": {"enum": [True]}}},
            {
                "properties": {"approved": {"enum": [False]}, "comment": {"pattern": NON_BLANK_TEXT_PATTERN}},
                "required": ["approved", "comment"],
            },
        ]
    return result


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
    return add_rules(result, generator, request, public)
