"""manage.py send_reminders: who gets which e-mail, once per person, week and kind; over real SMTP too."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command

from timesheets import services
from timesheets.models import Reminder

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 16)


def log(owner, project, day: dt.date, hours: str) -> None:
    services.entry_create(owner=owner, date=day, project=project, hours=Decimal(hours))


def full_week(owner, project) -> None:
    for day in range(5):
        log(owner, project, MONDAY + dt.timedelta(days=day), "8")


def remind() -> str:
    out = StringIO()
    call_command("send_reminders", "--week", MONDAY.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def reminder_settings(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EXPECTED_HOURS_PER_WEEK = 40
    settings.PUBLIC_URL = "https://time.abc.example"
    settings.DEFAULT_FROM_EMAIL = "ABC Timesheets <timesheets@abc.example>"


@pytest.fixture
def manager(carol):
    services.manager_admin_access_grant(user=carol)
    return carol


def test_an_employee_whose_week_is_not_submitted_is_reminded_once(alice, bob, store_zero):
    full_week(alice, store_zero)
    full_week(bob, store_zero)
    services.week_submit(actor=bob, monday=MONDAY)

    assert "1 employee reminder(s), 0 manager digest(s) sent; 0 sent before." in remind()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@abc.example"]
    assert message.from_email == "ABC Timesheets <timesheets@abc.example>"
    assert message.subject == "Your timesheet for the week of 2026-11-16"
    assert "- It is not submitted yet." in message.body
    assert "fewer than" not in message.body
    assert "https://time.abc.example/#/week/2026-11-16" in message.body

    assert "0 employee reminder(s), 0 manager digest(s) sent; 1 sent before." in remind()
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(person=alice, monday=MONDAY, kind="employee_week").count() == 1


def test_a_short_submitted_week_is_reminded_unless_the_check_is_off(settings, alice, store_zero):
    log(alice, store_zero, MONDAY, "8")
    services.week_submit(actor=alice, monday=MONDAY)
    settings.EXPECTED_HOURS_PER_WEEK = 0
    remind()
    assert mail.outbox == []
    settings.EXPECTED_HOURS_PER_WEEK = 40
    remind()
    assert [m.to for m in mail.outbox] == [["alice@abc.example"]]
    assert "- It holds 8.00 hours, fewer than the expected 40.00." in mail.outbox[0].body
    assert "not submitted" not in mail.outbox[0].body


def test_a_rejected_week_reminder_quotes_the_comment(alice, bob, store_zero):
    full_week(alice, store_zero)
    week = services.week_submit(actor=alice, monday=MONDAY)
    services.week_reject(week=week, actor=bob, comment="Friday is a holiday")
    remind()
    alice_mail = [m for m in mail.outbox if m.to == ["alice@abc.example"]]
    assert "“Friday is a holiday”" in alice_mail[0].body


def test_people_without_recent_time_are_not_reminded(alice, store_zero):
    log(alice, store_zero, MONDAY - dt.timedelta(weeks=9), "8")  # left the company long ago
    remind()
    assert mail.outbox == []


def test_each_manager_gets_one_digest_of_the_weeks_waiting(alice, bob, manager, store_zero):
    full_week(alice, store_zero)
    full_week(manager, store_zero)
    services.week_submit(actor=alice, monday=MONDAY)
    services.week_submit(actor=manager, monday=MONDAY)
    log(bob, store_zero, MONDAY - dt.timedelta(days=3), "3")
    services.week_submit(actor=bob, monday=MONDAY - dt.timedelta(weeks=1))

    output = remind()
    digests = [m for m in mail.outbox if m.to == ["carol@abc.example"]]
    assert len(digests) == 1
    digest = digests[0]
    assert digest.subject == "2 weeks waiting for your decision"
    assert "- Bob Employee: week of 2026-11-09, 3.00 hours\n- Alice Employee: week of 2026-11-16, 40.00 hours" in (
        digest.body
    )
    assert "Carol Manager: week" not in digest.body  # her own week is not hers to decide
    assert "https://time.abc.example/#/approvals" in digest.body
    assert "https://time.abc.example/admin/timesheets/week/?state__exact=submitted" in digest.body
    assert "1 manager digest(s) sent" in output

    remind()
    assert len([m for m in mail.outbox if m.to == ["carol@abc.example"]]) == 1


def test_no_digest_when_nothing_waits(manager, alice, store_zero):
    full_week(alice, store_zero)
    remind()
    assert [m.to for m in mail.outbox] == [["alice@abc.example"]]


def test_a_bad_week_option_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--week must be a date"):
        call_command("send_reminders", "--week", "last")


# --- over a real SMTP server on loopback -----------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls this hook by name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    controller, _ = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    return settings


def test_reminders_go_out_over_smtp(smtp_settings, smtp_server, alice, bob, manager, store_zero):
    _, inbox = smtp_server
    full_week(alice, store_zero)
    log(bob, store_zero, MONDAY, "4")
    services.week_submit(actor=bob, monday=MONDAY)

    remind()
    remind()

    received = {tuple(env.rcpt_tos): email.message_from_bytes(env.content) for env in inbox.envelopes}
    assert sorted(received) == [("alice@abc.example",), ("bob@abc.example",), ("carol@abc.example",)]
    assert all(env.mail_from == "timesheets@abc.example" for env in inbox.envelopes)
    assert received[("alice@abc.example",)]["Subject"] == "Your timesheet for the week of 2026-11-16"
    assert "fewer than the expected 40.00" in received[("bob@abc.example",)].get_payload(decode=True).decode()
    assert received[("carol@abc.example",)]["Subject"] == "1 week waiting for your decision"


def test_a_mail_that_fails_to_send_is_not_recorded_and_goes_out_next_time(settings, smtp_server, alice, store_zero):
    controller, inbox = smtp_server
    full_week(alice, store_zero)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nobody listens there
    settings.EMAIL_TIMEOUT = 5
    with pytest.raises(OSError):
        remind()
    assert not Reminder.objects.exists()

    settings.EMAIL_PORT = controller.port
    remind()
    assert [env.rcpt_tos for env in inbox.envelopes] == [["alice@abc.example"]]
    assert Reminder.objects.count() == 1
