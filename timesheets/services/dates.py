"""How far from today an entry's date may be: one rule for the API, uploads, the admin, the timer and week copy.

"Today" is `timezone.localdate()` in settings.TIME_ZONE. ENTRY_MAX_DAYS_AHEAD (default 7) bounds the
future; ENTRY_MAX_DAYS_BACK (default none) the past. The rule applies to new dates only: an entry
created (or imported) earlier can still be corrected as long as its date does not change.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


def entry_date_range(today: dt.date | None = None) -> tuple[dt.date | None, dt.date]:
    """(earliest or None for no limit, latest) date an entry may be logged on."""
    today = today or timezone.localdate()
    latest = today + dt.timedelta(days=settings.ENTRY_MAX_DAYS_AHEAD)
    back = settings.ENTRY_MAX_DAYS_BACK
    earliest = today - dt.timedelta(days=back) if back is not None else None
    return earliest, latest


def entry_date_error(date: dt.date) -> str | None:
    """Why time cannot be logged on `date`, or None. The one wording of the rule."""
    earliest, latest = entry_date_range()
    if date > latest:
        days = settings.ENTRY_MAX_DAYS_AHEAD
        return f"Time can be logged at most {days} day{'s' if days != 1 else ''} ahead (up to {latest.isoformat()})."
    if earliest is not None and date < earliest:
        days = settings.ENTRY_MAX_DAYS_BACK
        return f"Time can be logged at most {days} day{'s' if days != 1 else ''} back (from {earliest.isoformat()})."
    return None


def validate_entry_date(date: dt.date) -> dt.date:
    message = entry_date_error(date)
    if message is not None:
        raise ValidationError({"date": message})
    return date
