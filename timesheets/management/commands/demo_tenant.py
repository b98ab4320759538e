"""Create (idempotently) the demo tenant and print credentials that work right now.

With the embedded issuer: the Timesheets API and its scopes, the apps (the PWA,
Swagger UI, a batch client), the roles, an employee and a manager with fresh
passwords, and the demo projects. With an external issuer (Auth0 / OIDC) only
the projects: the identity part is managed by that provider.

It lives in the product because it provisions product data (projects, the
Managers' admin access); the identity part comes from idp's tenant helpers.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from authn.permissions import APPROVE, BATCH_UPLOAD, CREATE, DELETE, READ
from idp import keys
from idp.models import AppType
from idp.tenant import (
    DemoUser,
    api_ensure,
    machine_app_ensure,
    public_app_ensure,
    role_ensure,
    user_ensure_with_new_password,
)
from timesheets.services import manager_admin_access_grant, project_ensure

DEMO_PROJECTS = ["StoreZero", "Auth0 Dashboard"]
API_SCOPES = {
    READ: "Read your timesheets",
    CREATE: "Log and edit your time",
    DELETE: "Delete your entries",
    APPROVE: "Approve or reject others' entries",
    BATCH_UPLOAD: "Upload entries for anyone (batch jobs)",
}
ROLES = {
    "Employee": ("Logs their own time", [READ, CREATE, DELETE]),
    "Manager": ("Reviews and approves time", [READ, CREATE, DELETE, APPROVE]),
}
DEMO_USERS = [
    DemoUser("alice", "alice@exampleco.com", "Alice Employee", "E001", ["Employee"]),
    DemoUser("carol", "carol@exampleco.com", "Carol Manager", "M001", ["Manager"]),
]
BATCH_CLIENT_ID = "timesheets-batch"


def swagger_ui_redirect_uri() -> str:
    # Swagger UI's own default oauth2RedirectUrl: `oauth2-redirect.html` next to the docs page,
    # served by drf-spectacular's SpectacularSwaggerOauthRedirectView (config/urls.py).
    return f"{settings.PUBLIC_URL}/api/docs/oauth2-redirect.html"


def demo_users_ensure() -> list[dict]:
    """The demo people with fresh passwords: [{"username", "password", "roles"}]."""
    result = []
    for spec in DEMO_USERS:
        user, password = user_ensure_with_new_password(spec)
        if "Manager" in spec.roles:
            manager_admin_access_grant(user=user)
        result.append({"username": user.username, "password": password, "roles": list(spec.roles)})
    return result


def embedded_tenant_ensure() -> dict:
    api = api_ensure(
        identifier=settings.AUTH0_AUDIENCE, name="Timesheets API", scopes=API_SCOPES, allow_offline_access=True
    )
    for name, (description, permissions) in ROLES.items():
        role_ensure(name=name, description=description, api=api, permissions=permissions)
    pwa_redirect_uri = f"{settings.PUBLIC_URL}/callback"
    public_app_ensure(
        client_id=settings.PWA_CLIENT_ID,
        name="Timesheets Mobile",
        app_type=AppType.SPA,
        redirect_uris=[pwa_redirect_uri],
        logout_urls=[f"{settings.PUBLIC_URL}/"],
    )
    public_app_ensure(
        client_id=settings.SWAGGER_UI_CLIENT_ID,
        name="Swagger UI",
        app_type=AppType.SPA,
        redirect_uris=[swagger_ui_redirect_uri()],
        logout_urls=[f"{settings.PUBLIC_URL}/api/docs/"],
    )
    batch, batch_secret = machine_app_ensure(
        client_id=BATCH_CLIENT_ID, name="Timesheets batch upload", api=api, scopes=[BATCH_UPLOAD, READ]
    )
    keys.active_key()
    return {
        "issuer": settings.TOKEN_ISSUER,
        "audience": api.identifier,
        "pwa_client_id": settings.PWA_CLIENT_ID,
        "pwa_redirect_uri": pwa_redirect_uri,
        "batch_client_id": batch.client_id,
        "batch_client_secret": batch_secret,
        "users": demo_users_ensure(),
    }


class Command(BaseCommand):
    help = "Create or refresh the demo tenant (idempotent) and print working credentials."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the credentials as one JSON object only.")

    def handle(self, *args, **options) -> None:
        for name in DEMO_PROJECTS:
            project_ensure(name=name)
        if not settings.EMBEDDED_IDP:
            message = (
                f"Projects ready. Identity is managed by the external provider {settings.TOKEN_ISSUER}: "
                "create the API, applications and users there."
            )
            if options["json"]:
                self.stdout.write(json.dumps({"issuer": settings.TOKEN_ISSUER, "external": True, "message": message}))
            else:
                self.stdout.write(message)
            return
        tenant = embedded_tenant_ensure()
        if options["json"]:
            self.stdout.write(json.dumps(tenant))
            return
        self.stdout.write(self._text(tenant))

    @staticmethod
    def _text(tenant: dict) -> str:
        base = settings.PUBLIC_URL
        users = "\n".join(
            f"    {u['username']:<8} password {u['password']}   ({', '.join(u['roles'])})" for u in tenant["users"]
        )
        token_request = json.dumps(
            {
                "grant_type": "client_credentials",
                "client_id": tenant["batch_client_id"],
                "client_secret": tenant["batch_client_secret"],
                "audience": tenant["audience"],
            }
        )
        entry = json.dumps(
            {"user_id": "alice@exampleco.com", "date": "2025-01-06", "project": "StoreZero", "hours": 7.5}
        )
        return f"""
ABC Timesheets demo tenant (passwords and the batch secret are new on every run)

  App (PWA)        {base}/
  Admin            {base}/admin/   (managers: sign in as carol)
  API docs         {base}/api/docs/   (Authorize with client id {settings.SWAGGER_UI_CLIENT_ID}, PKCE)
  Issuer           {tenant["issuer"]}
  Audience         {tenant["audience"]}

  Sign in as
{users}

  Batch client     {tenant["batch_client_id"]}
  Batch secret     {tenant["batch_client_secret"]}

  Try it (client credentials -> upload -> list what this client uploaded):
    TOKEN=$(curl -s {base}/oauth/token -H 'content-type: application/json' \\
      -d '{token_request}' \\
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -s {base}/api/timesheets/upload -H "authorization: Bearer $TOKEN" \\
      -H 'content-type: application/json' -d '{entry}'
    curl -s {base}/api/timesheets -H "authorization: Bearer $TOKEN"
"""
