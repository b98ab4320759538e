"""Reminders by e-mail (manage.py send_reminders): time missing in a week, weeks waiting for a manager.

Safe to run as often as cron likes: each reminder is recorded (Reminder: one per
person, week and kind, unique in the database) in the same transaction that
sends it, so a second run, or two runs at once, never send it twice, and a mail
that fails to send is not recorded and goes out on the next run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.mail import EmailMessage
from django.db import transaction

from authn.models import User
from timesheets import selectors
from timesheets.models import LOCKED_WEEK_STATES, Entry, Reminder

# Who keeps a timesheet: a person who logged time in this many weeks up to the reminded week.
ACTIVE_WEEKS = 8


@dataclass
class RemindersSent:
    employees: list[str] = field(default_factory=list)  # e-mail addresses
    managers: list[str] = field(default_factory=list)
    already_sent: int = 0


def _send_once(*, person: User, monday: dt.date, kind: str, message: EmailMessage) -> bool:
    """Send `message` unless this reminder was sent before; True when it went out now."""
    with transaction.atomic():
        _, created = Reminder.objects.get_or_create(person=person, monday=monday, kind=kind)
        if not created:
            return False
        message.send(fail_silently=False)  # an error rolls the record back: the next run tries again
    return True


def _remind(
    *,
    sent: RemindersSent,
    sent_to: list[str],
    person: User,
    monday: dt.date,
    kind: str,
    subject: str,
    lines: list[str],
    from_email: str | None,
) -> None:
    """Greet `person`, say `lines`, sign; send once (see _send_once) and count it in `sent`."""
    body = "\n".join([f"Hello {person.display_name},", "", *lines, "", "ABC Timesheets"])
    message = EmailMessage(subject=subject, body=body, from_email=from_email, to=[person.email])
    if _send_once(person=person, monday=monday, kind=kind, message=message):
        sent_to.append(person.email)
    else:
        sent.already_sent += 1


def employee_reminder_reasons(*, view: selectors.WeekView, expected_hours: Decimal) -> list[str]:
    """Why the week's owner is reminded: the week is not submitted, or holds fewer hours than expected."""
    reasons = []
    if view.state not in LOCKED_WEEK_STATES:
        if view.state == "rejected" and view.week is not None:
            reasons.append(f"It was rejected and is not submitted again yet. The comment: “{view.week.comment}”.")
        else:
            reasons.append("It is not submitted yet.")
    if expected_hours and view.total_hours < expected_hours:
        reasons.append(f"It holds {view.total_hours:.2f} hours, fewer than the expected {expected_hours:.2f}.")
    return reasons


def reminders_send(
    *, monday: dt.date, expected_hours: Decimal, app_url: str, from_email: str | None = None
) -> RemindersSent:
    """E-mail employees whose week of `monday` needs them, and each manager one digest of waiting weeks."""
    sent = RemindersSent()
    sunday = monday + dt.timedelta(days=6)
    first_day = monday - dt.timedelta(weeks=ACTIVE_WEEKS - 1)
    active_ids = Entry.objects.filter(date__gte=first_day, date__lte=sunday).values("owner_id").distinct()
    employees = User.objects.filter(pk__in=active_ids, is_active=True).exclude(email="").order_by("pk")
    for person in employees:
        view = selectors.week_get(actor=person, monday=monday)
        reasons = employee_reminder_reasons(view=view, expected_hours=expected_hours)
        if not reasons:
            continue
        _remind(
            sent=sent,
            sent_to=sent.employees,
            person=person,
            monday=monday,
            kind=Reminder.Kind.EMPLOYEE_WEEK,
            subject=f"Your timesheet for the week of {monday.isoformat()}",
            lines=[
                f"your timesheet for the week of {monday:%A %d %B %Y} to {sunday:%A %d %B %Y} needs you:",
                "",
                *(f"- {reason}" for reason in reasons),
                "",
                f"Log the missing time and submit the week in the phone app: {app_url}/#/week/{monday}",
            ],
            from_email=from_email,
        )

    managers = (
        # Permissions live in the database (ModelBackend), whichever other backends sign people in.
        User.objects.with_perm(
            "timesheets.change_week",
            is_active=True,
            include_superusers=True,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .exclude(email="")
        .order_by("pk")
    )
    for manager in managers:
        waiting = list(selectors.week_approval_queue(actor=manager)[: selectors.MAX_WEEKS_PER_LIST])
        if not waiting:
            continue
        views = selectors.week_views_of(waiting)
        lines = [
            f"- {view.owner.display_name}: week of {view.monday.isoformat()}, {view.total_hours:.2f} hours"
            for view in views
        ]
        noun = "week waits" if len(views) == 1 else "weeks wait"
        _remind(
            sent=sent,
            sent_to=sent.managers,
            person=manager,
            monday=monday,
            kind=Reminder.Kind.MANAGER_DIGEST,
            subject=f"{len(views)} {'week' if len(views) == 1 else 'weeks'} waiting for your decision",
            lines=[
                f"{len(views)} submitted {noun} for your decision:",
                "",
                *lines,
                "",
                f"Decide in the phone app: {app_url}/#/approvals",
                f"or in the admin: {app_url}/admin/timesheets/week/?state__exact=submitted",
            ],
            from_email=from_email,
        )
    return sent
