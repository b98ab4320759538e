"""Writes for accounts: the API side's mapping of a token to a User row."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from authn import caches
from authn.models import User

logger = logging.getLogger(__name__)


def _username_for(sub: str) -> str:
    # Django usernames are at most 150 characters; subjects may be longer.
    return sub if len(sub) <= 150 else sub[:150]


def _profile_from(claims: dict[str, Any]) -> tuple[str, str]:
    email = claims.get(settings.AUTH0_EMAIL_CLAIM) or claims.get("email") or ""
    email = email.strip() if isinstance(email, str) else ""
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    return email, name


def user_for_claims(*, claims: dict[str, Any]) -> User:
    """user_sync_from_claims, answered from a per-process cache for a few seconds (authn/caches.py).

    A token whose profile claims differ from those last synced goes to the database.
    """
    sub = claims["sub"]
    profile = _profile_from(claims)
    user = caches.users_by_subject.get(sub, profile=profile)
    if user is None:
        user = user_sync_from_claims(claims=claims)
        caches.users_by_subject.put(sub, user, profile=profile)
    return user


def user_sync_from_claims(*, claims: dict[str, Any]) -> User:
    """The User for a human token's `sub`, created on first sight, profile refreshed."""
    sub = claims["sub"]
    email, name = _profile_from(claims)

    user = User.objects.filter(sub=sub).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create(
                    sub=sub, username=_username_for(sub), email=_free_email(email, sub), name=name
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
            return user
        except IntegrityError:
            # Another request created the same subject (or username) a moment ago.
            user = User.objects.get(sub=sub)

    changed: list[str] = []
    if email and email.lower() != user.email.lower() and _free_email(email, sub):
        user.email = email
        changed.append("email")
    if name and name != user.name:
        user.name = name
        changed.append("name")
    if changed:
        user.save(update_fields=changed)
    return user


def _free_email(email: str, sub: str) -> str:
    """`email` unless another account holds it (emails identify employees in uploads)."""
    if not email:
        return ""
    if User.objects.filter(email__iexact=email).exclude(sub=sub).exists():
        logger.warning("subject %s claims an email another account uses; not storing it", sub)
        return ""
    return email
