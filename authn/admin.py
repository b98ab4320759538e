"""Accounts in the admin: Django's user admin plus the identity fields this product adds."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from authn.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "name", "email", "employee_number", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "name", "email", "employee_number", "sub")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("name", "first_name", "last_name", "email", "employee_number", "picture")}),
        (
            "Identity provider",
            {
                "fields": ("sub",),
                "description": "The `sub` claim of this person's tokens. Change it only to link this account "
                "to an existing identity at Auth0 or another provider.",
            },
        ),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "name", "email", "employee_number", "usable_password", "password1", "password2"),
            },
        ),
    )
