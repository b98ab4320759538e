from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


def new_local_subject() -> str:
    """A subject for accounts created here, shaped like Auth0's `auth0|<24 hex>`."""
    return "auth0|" + secrets.token_hex(12)


class User(AbstractUser):
    """A person. API tokens map to a row by `sub`; the embedded issuer signs in by username."""

    sub = models.CharField(
        "subject",
        max_length=255,
        unique=True,
        default=new_local_subject,
        help_text="The identity provider's stable id for this person (the token's `sub`).",
    )
    name = models.CharField(max_length=255, blank=True)
    picture = models.URLField(max_length=1000, blank=True)
    employee_number = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="The id other systems know this employee by (batch uploads may use it).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message="Another account already uses this email address.",
            ),
        ]

    # A person, as opposed to authn.principals.MachineClient (see Principal there).
    is_person = True

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.email or self.username

    def __str__(self) -> str:
        return self.display_name
