"""The batch client against a live server, with real Client Credentials tokens from the embedded issuer."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from authn.models import User
from tests.tools.proxy import FailingProxy
from timesheets.models import Entry, EntrySource, Project

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.date(2020, 1, 6)


@pytest.fixture
def staff(embedded_tenant) -> list[User]:
    return [
        User.objects.create(username=f"emp{i}", email=f"emp{i}@abc.example", employee_number=f"X{i:03d}")
        for i in range(10)
    ]


def write_csv(path: Path, rows: list[tuple]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "date", "project", "hours", "notes"])
        writer.writerows(rows)
    return path


def rows_for(staff: list[User], count: int) -> list[tuple]:
    """`count` rows spread over the employees (by email and by employee number) and days."""
    rows = []
    for n in range(count):
        person = staff[n % len(staff)]
        day = START + dt.timedelta(days=n // len(staff))
        ref = person.email if n % 2 else person.employee_number
        hours = str(Decimal(1 + n % 8) + Decimal("0.25") * (n % 4))
        rows.append((ref, day.isoformat(), "StoreZero" if n % 3 else "Auth0 Dashboard", hours, f"row {n}"))
    return rows


def stored() -> set[tuple]:
    return set(Entry.objects.values_list("owner__email", "date", "project__name", "hours", "notes"))


def expected(staff: list[User], rows: list[tuple]) -> set[tuple]:
    email_of = {u.employee_number: u.email for u in staff} | {u.email: u.email for u in staff}
    return {
        (email_of[ref], dt.date.fromisoformat(day), project, Decimal(hours).quantize(Decimal("0.01")), notes)
        for ref, day, project, hours, notes in rows
    }


def test_ten_thousand_rows_upload_once_and_a_rerun_creates_nothing(run_tool, staff, tmp_path: Path) -> None:
    rows = rows_for(staff, 10_000)
    path = write_csv(tmp_path / "big.csv", rows)

    status, summary, stderr = run_tool(path)
    assert status == 0, stderr
    assert (summary["rows"], summary["created"], summary["existing"], summary["rejected"]) == (10_000, 10_000, 0, [])
    assert summary["requests"] == 20  # 500 per chunk by default, no retries needed
    assert summary["tokens"] == 1  # one Client Credentials token for the whole run
    assert Entry.objects.count() == 10_000
    assert stored() == expected(staff, rows)
    assert set(Entry.objects.values_list("source", flat=True)) == {EntrySource.BATCH}

    status, again, stderr = run_tool(path, "--chunk-size", "1000")
    assert status == 0, stderr
    assert (again["created"], again["existing"], again["rejected"]) == (0, 10_000, [])
    assert Entry.objects.count() == 10_000


def test_identical_rows_are_two_entries_and_stay_two(run_tool, staff, tmp_path: Path) -> None:
    row = (staff[0].email, "2025-03-03", "StoreZero", "4", "Calls")
    path = write_csv(tmp_path / "twins.csv", [row, row])
    assert run_tool(path)[1]["created"] == 2
    assert run_tool(path)[1]["existing"] == 2
    assert Entry.objects.filter(owner=staff[0]).count() == 2


def test_a_bad_row_is_reported_by_line_and_its_chunk_is_not_written(run_tool, staff, tmp_path: Path) -> None:
    rows = rows_for(staff, 1200)
    bad_index = 698  # file line 700 (the header is line 1), in the second chunk of 500 (lines 502-1001)
    ref, day, project, _, notes = rows[bad_index]
    rows[bad_index] = (ref, day, project, "7.1", notes)
    path = write_csv(tmp_path / "bad.csv", rows)

    status, summary, _ = run_tool(path)
    assert status == 1
    assert len(summary["rejected"]) == 1
    assert summary["rejected"][0]["line"] == 700
    assert "hours" in summary["rejected"][0]["reason"] and "quarter hours" in summary["rejected"][0]["reason"]
    assert summary["created"] == 700  # lines 2-501 and 1002-1201
    assert len(summary["not_sent"]) == 499
    assert stored() == expected(staff, rows[:500] + rows[1000:])

    # Fixed and sent again: only the held-back chunk is created.
    rows[bad_index] = (ref, day, project, "7.25", notes)
    write_csv(path, rows)
    status, summary, _ = run_tool(path)
    assert status == 0
    assert (summary["created"], summary["existing"]) == (500, 700)
    assert stored() == expected(staff, rows)


def test_unknown_employee_and_project_are_reasons_too(run_tool, staff, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "unknown.csv",
        [
            (staff[0].email, "2025-03-03", "StoreZero", "1", ""),
            ("nobody@abc.example", "2025-03-03", "No Such Project", "1", ""),
        ],
    )
    status, summary, _ = run_tool(path)
    assert status == 1
    [rejection] = summary["rejected"]
    assert rejection["line"] == 3
    assert "nobody@abc.example" in rejection["reason"] and "No Such Project" in rejection["reason"]
    assert Entry.objects.count() == 0


def test_a_chunk_failing_once_with_503_is_retried_exactly_once(run_tool, staff, live_server, tmp_path: Path) -> None:
    rows = rows_for(staff, 1500)
    path = write_csv(tmp_path / "flaky.csv", rows)
    with FailingProxy(live_server.url, fail_uploads=1) as proxy:
        status, summary, stderr = run_tool(path, api=proxy.url)
    assert status == 0, stderr
    assert proxy.uploads_failed == 1 and proxy.uploads_seen == 4  # 3 chunks + 1 retry
    assert summary["retries"] == 1
    # The failed chunk had been written before the 503: the retry finds it, nothing is doubled.
    assert (summary["created"], summary["existing"]) == (1000, 500)
    assert Entry.objects.count() == 1500
    assert stored() == expected(staff, rows)


def test_json_lines_input(run_tool, staff, tmp_path: Path) -> None:
    import json

    project = Project.objects.get(name="StoreZero")
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"user_id": staff[1].email, "date": "2025-03-04", "project": project.pk, "hours": 7.5}) + "\n"
    )
    status, summary, _ = run_tool(path)
    assert (status, summary["created"]) == (0, 1)
    assert Entry.objects.get().project == project


def test_wrong_client_secret_fails_clearly(run_tool, embedded_tenant, staff, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", rows_for(staff, 1))
    status, _, stderr = run_tool(path, "--client-secret", "not-the-secret")
    assert status == 3
    assert "issuer refused the client credentials" in stderr
    assert "not-the-secret" not in stderr
    assert Entry.objects.count() == 0
