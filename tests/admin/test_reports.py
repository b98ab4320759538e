"""CSV export (content and streaming) and the weekly summary."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
import uuid
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from authn.models import User
from tests.admin.conftest import MONDAY
from timesheets import services
from timesheets.models import Entry, Project

pytestmark = pytest.mark.django_db

EXPORT = "/admin/timesheets/entry/export.csv"


def read_csv(response) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_is_the_filtered_list_as_csv(manager_client: Client, manager, week_entries, alice) -> None:
    services.entry_approve(entry=week_entries["alice_mon"], actor=manager, comment="ok")
    response = manager_client.get(EXPORT, {"week": MONDAY.isoformat(), "owner__id__exact": alice.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="timesheet-entries-')
    rows = read_csv(response)
    assert [r["id"] for r in rows] == [str(week_entries[k].pk) for k in ("alice_fri", "alice_tue", "alice_mon")]
    monday = rows[-1]
    assert monday["employee"] == "Alice Employee" and monday["email"] == "alice@abc.example"
    assert monday["employee_number"] == "E001" and monday["date"] == "2025-03-03"
    assert monday["project"] == "StoreZero" and monday["hours"] == "8.00"
    assert monday["status"] == "approved" and monday["decided_by"] == "carol@abc.example"
    assert monday["decision_comment"] == "ok" and monday["source"] == "api"
    # A note that a spreadsheet would run as a formula is neutralised.
    assert rows[1]["notes"] == '\'=HYPERLINK("http://x")'


def test_export_follows_search_and_every_page(manager_client: Client, week_entries, monkeypatch) -> None:
    from timesheets.admin import EntryAdmin

    monkeypatch.setattr(EntryAdmin, "list_per_page", 1)
    rows = read_csv(manager_client.get(EXPORT, {"q": "bob@abc.example", "p": "1"}))
    assert {r["id"] for r in rows} == {str(week_entries["bob_wed"].pk), str(week_entries["bob_prev"].pk)}


def test_export_needs_the_admin(alice: User, week_entries) -> None:
    client = Client()
    client.force_login(alice)
    assert client.get(EXPORT).status_code == 302
    assert Client().get(EXPORT).status_code == 302


def _bulk_entries(owner: User, project: Project, count: int) -> None:
    start = dt.date(2000, 1, 1)
    Entry.objects.bulk_create(
        [
            Entry(
                owner=owner,
                project=project,
                date=start + dt.timedelta(days=i),
                hours=Decimal("7.50"),
                notes=f"Row {i} with some notes to make it a realistic length",
                uuid=uuid.uuid4(),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def _export_peak_bytes(client: Client) -> tuple[int, int]:
    """Rows and the peak memory allocated while the export is produced and read line by line."""
    tracemalloc.start()
    try:
        response = client.get(EXPORT)
        assert isinstance(response, StreamingHttpResponse)
        tracemalloc.reset_peak()
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return lines - 1, peak


def test_export_streams_in_bounded_memory(manager_client: Client, alice: User, store_zero: Project) -> None:
    """20 times the rows needs about the same memory: nothing holds the whole list."""
    _bulk_entries(alice, store_zero, 1000)
    rows_small, peak_small = _export_peak_bytes(manager_client)
    Entry.objects.all().delete()
    _bulk_entries(alice, store_zero, 20_000)
    rows_large, peak_large = _export_peak_bytes(manager_client)
    assert (rows_small, rows_large) == (1000, 20_000)
    # Holding every row (a list, a joined string) would need about 20x; allow 1.5x for noise.
    assert peak_large < peak_small * 1.5, (peak_small, peak_large)


def test_weekly_summary_hours_per_employee_per_week(manager_client: Client, manager, week_entries) -> None:
    services.entry_approve(entry=week_entries["alice_mon"], actor=manager)
    url = reverse("admin:timesheets_entry_weekly_summary")
    response = manager_client.get(url, {"until": MONDAY.isoformat(), "weeks": "2"})
    assert response.status_code == 200
    summary = response.context["summary"]
    previous = MONDAY - dt.timedelta(weeks=1)
    assert summary.weeks == [previous, MONDAY]
    by_email = {row.email: row for row in summary.rows}
    assert set(by_email) == {"alice@abc.example", "bob@abc.example", "carol@abc.example"}
    alice_row = by_email["alice@abc.example"]
    assert previous not in alice_row.weeks
    assert alice_row.weeks[MONDAY]["hours"] == Decimal("19.5") and alice_row.weeks[MONDAY]["pending"] == 2
    bob_row = by_email["bob@abc.example"]
    assert bob_row.weeks[previous]["hours"] == Decimal("3") and bob_row.weeks[MONDAY]["hours"] == Decimal("6")
    assert bob_row.total_hours == Decimal("9") and bob_row.pending == 2
    assert summary.week_totals == [Decimal("3"), Decimal("30.5")]
    assert summary.week_pending == [1, 4]
    assert summary.total_hours == Decimal("33.5")
    html = response.content.decode()
    assert "19.50 h" in html and "2 pending" in html
    # each week links to the entries list filtered to that week
    assert f"/admin/timesheets/entry/?week={MONDAY.isoformat()}" in html


def test_weekly_summary_defaults_to_recent_weeks_and_survives_bad_input(manager_client: Client, week_entries) -> None:
    url = reverse("admin:timesheets_entry_weekly_summary")
    response = manager_client.get(url, {"until": "last-friday", "weeks": "500"})
    assert response.status_code == 200
    summary = response.context["summary"]
    assert len(summary.weeks) == 12
    assert summary.weeks[-1] <= dt.date.today() < summary.weeks[-1] + dt.timedelta(days=7)
    assert "must look like" in response.content.decode()
