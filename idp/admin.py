"""The tenant in the admin: APIs with scopes, roles, client grants, application types, keys."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.sites import NotRegistered
from oauth2_provider.models import get_application_model

from idp.models import Api, ApiScope, ApplicationProfile, ClientGrant, Role, SigningKey

Application = get_application_model()


class ApiScopeInline(admin.TabularInline):
    model = ApiScope
    extra = 1


@admin.register(Api)
class ApiAdmin(admin.ModelAdmin):
    list_display = ["name", "identifier", "signing_algorithm", "allow_offline_access", "token_lifetime"]
    search_fields = ["name", "identifier"]
    inlines = [ApiScopeInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]
    filter_horizontal = ["permissions", "users"]


class ApplicationProfileInline(admin.StackedInline):
    model = ApplicationProfile
    can_delete = False
    extra = 1
    max_num = 1


class ClientGrantInline(admin.StackedInline):
    model = ClientGrant
    extra = 0
    filter_horizontal = ["scopes"]


# DOT registers its Application admin; add Auth0's application type and client grants to it.
try:
    _dot_application_admin = type(admin.site._registry[Application])
    admin.site.unregister(Application)
except (KeyError, NotRegistered):
    _dot_application_admin = admin.ModelAdmin


@admin.register(Application)
class ApplicationAdmin(_dot_application_admin):
    inlines = [*getattr(_dot_application_admin, "inlines", []), ApplicationProfileInline, ClientGrantInline]
    # DOT's own "allowed origins" (https only, used by nothing here) would be mistaken for
    # Auth0's Allowed Web Origins, which are edited with the application type below.
    exclude = ("allowed_origins",)


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    """Read-only: keys are made and rotated by `manage.py rotate_signing_key`; the private key is never shown."""

    list_display = ["kid", "active", "created_at", "publish_until"]
    fields = ["kid", "active", "created_at", "publish_until"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
