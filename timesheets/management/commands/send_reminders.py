"""manage.py send_reminders: e-mail reminders for last week's timesheets (run it from cron)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from timesheets.models import monday_of
from timesheets.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "E-mail employees whose last week is not submitted or holds fewer than EXPECTED_HOURS_PER_WEEK hours, "
        "and each manager one digest of the weeks waiting for them. Safe to run repeatedly: one reminder per "
        "person, week and kind."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--week",
            help="Any day of the week to remind about (YYYY-MM-DD); default: last week.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["week"]:
            try:
                day = dt.date.fromisoformat(options["week"])
            except ValueError:
                raise CommandError("--week must be a date such as 2026-11-23") from None
        else:
            day = timezone.localdate() - dt.timedelta(weeks=1)
        monday = monday_of(day)
        sent = reminders_send(
            monday=monday,
            expected_hours=Decimal(settings.EXPECTED_HOURS_PER_WEEK),
            app_url=settings.PUBLIC_URL,
        )
        self.stdout.write(
            f"Week of {monday.isoformat()}: {len(sent.employees)} employee reminder(s), "
            f"{len(sent.managers)} manager digest(s) sent; {sent.already_sent} sent before."
        )
