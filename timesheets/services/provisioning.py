"""Setting the product up: projects for the demo tenant, managers' admin access."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from timesheets.models import Project

# --- used by demo_tenant -------------------------------------------------------------------------


def project_ensure(*, name: str) -> Project:
    """The project called `name` (case-insensitively), created active if missing."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["A project needs a name."]})
    project = Project.objects.filter(name__iexact=name).first()
    if project is not None:
        return project
    try:
        with transaction.atomic():
            return Project.objects.create(name=name)
    except IntegrityError:
        # Created by someone else a moment ago.
        return Project.objects.get(name__iexact=name)


# --- admin: managers group ----------------------------------------------------------------------

MANAGERS_GROUP_NAME = "Managers"
# What a manager does in the admin, and nothing more: see and decide on entries (deciding
# and correcting need `change_entry`), read each entry's decision history, and keep the
# project list up to date. No user management, no deletions (entries are deleted by their
# owners through the API, which leaves an audit row).
MANAGER_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("timesheets", "view_entry"),
    ("timesheets", "change_entry"),
    ("timesheets", "view_entryaudit"),
    ("timesheets", "view_week"),
    ("timesheets", "change_week"),  # deciding weeks (the Weeks list's actions)
    ("timesheets", "view_weekaudit"),
    ("timesheets", "view_project"),
    ("timesheets", "add_project"),
    ("timesheets", "change_project"),
)


def managers_group_ensure() -> Any:
    """Create or update the "Managers" group to hold exactly MANAGER_PERMISSIONS.

    Idempotent; permissions added to the group by hand are removed. Needs the
    migrations applied (Django creates permissions after `migrate`).
    """
    from django.contrib.auth.models import Group, Permission
    from django.core.exceptions import ImproperlyConfigured

    wanted = Q()
    for app_label, codename in MANAGER_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(MANAGER_PERMISSIONS):
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        missing = sorted(f"{a}.{c}" for a, c in set(MANAGER_PERMISSIONS) - found)
        raise ImproperlyConfigured(f"Permissions {', '.join(missing)} do not exist yet; run `manage.py migrate` first.")
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP_NAME)
        group.permissions.set(permissions)
    return group


def manager_admin_access_grant(*, user: Any) -> None:
    """Make `user` a manager in the admin: staff (never superuser) and in the Managers group."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(managers_group_ensure())


def manager_admin_access_revoke(*, user: Any) -> None:
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    user.groups.remove(*user.groups.filter(name=MANAGERS_GROUP_NAME))
