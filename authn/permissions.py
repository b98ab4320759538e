"""Scope permissions: every API view declares the scopes it needs.

    class EntryList(APIView):
        required_scopes = {"GET": ["read:timesheets"], "POST": ["create:timesheets"]}

A list applies to every method. A view that declares nothing is refused: a
forgotten declaration must never mean "any valid token will do".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from authn.principals import AccessToken

READ = "read:timesheets"
CREATE = "create:timesheets"
DELETE = "delete:timesheets"
APPROVE = "approve:timesheets"
BATCH_UPLOAD = "batch:upload"
ALL_SCOPES = (READ, CREATE, DELETE, APPROVE, BATCH_UPLOAD)


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"

    def __init__(self, scopes: Sequence[str]) -> None:
        self.scopes = list(scopes)
        super().__init__(f"This request needs the scope: {' '.join(self.scopes)}.")


def declared_scopes(view: object, method: str) -> list[str] | None:
    """The scopes `view` declares for `method`; None when it declares nothing for it."""
    declared = getattr(view, "required_scopes", None)
    if declared is None:
        return None
    if isinstance(declared, Mapping):
        scopes = declared.get(method.upper())
        if scopes is None and method.upper() == "HEAD":
            scopes = declared.get("GET")
        if scopes is None and method.upper() == "OPTIONS":
            return []
        return list(scopes) if scopes is not None else None
    return list(declared)


class HasRequiredScopes(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            # No handler for this method: DRF answers 405 Method Not Allowed; nothing to protect.
            return True
        scopes = declared_scopes(view, request.method)
        if scopes is None:
            raise ImproperlyConfigured(
                f"{type(view).__name__} declares no required_scopes for {request.method}; refusing to serve it."
            )
        token = request.auth
        if not isinstance(token, AccessToken):
            raise exceptions.NotAuthenticated("A bearer access token is required.")
        missing = [scope for scope in scopes if scope not in token.scopes]
        if missing:
            raise InsufficientScope(missing)
        return True
