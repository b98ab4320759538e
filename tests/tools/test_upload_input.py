"""The batch client's reading of files and its idempotency keys (no server needed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools.conftest import TOOL_PATH


def rows_of(tool, path: Path, fmt: str = "auto"):
    return list(tool.read_rows(str(path), fmt))


@pytest.mark.live
def test_the_tool_does_not_import_django() -> None:
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('t', {str(TOOL_PATH)!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['t'] = m; spec.loader.exec_module(m)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('django', 'rest_framework')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_csv_rows_keep_their_line_numbers(tool, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "user_id,date,project,hours,notes\n"
        "alice@abc.example,2025-03-03,StoreZero,8,one\n"
        "\n"
        'bob@abc.example,2025-03-03,StoreZero,6,"two\nlines"\n'
        "E001,2025-03-04,Auth0 Dashboard,7.5\n"
        "E001,2025-03-05,StoreZero,1,x,unexpected\n"
    )
    rows = rows_of(tool, path)
    assert [row.line for row in rows] == [2, 4, 6, 7]
    assert rows[1].item["notes"] == "two\nlines"
    assert rows[2].item == {**rows[2].item, "user_id": "E001", "project": "Auth0 Dashboard", "notes": ""}
    assert rows[3].item is None and "fields" in rows[3].problem


def test_csv_header_must_name_the_columns(tool, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("employee,date,project,hours\nx,2025-03-03,StoreZero,1\n")
    with pytest.raises(tool.InputError, match="user_id"):
        rows_of(tool, path)


def test_jsonl_rows_and_unreadable_lines(tool, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"user_id": "alice@abc.example", "date": "2025-03-03", "project": 3, "hours": 7.5}) + "\n"
        "{not json\n"
        "\n"
        "[1, 2]\n"
    )
    rows = rows_of(tool, path)
    assert [row.line for row in rows] == [1, 2, 4]
    assert rows[0].item["project"] == 3 and rows[0].item["hours"] == 7.5
    assert rows[1].item is None and "JSON" in rows[1].problem
    assert rows[2].item is None


def test_keys_are_stable_content_based_and_distinct_for_identical_rows(tool, tmp_path: Path) -> None:
    header = "user_id,date,project,hours,notes\n"
    a = "alice@abc.example,2025-03-03,StoreZero,4,Calls\n"
    b = "bob@abc.example,2025-03-03,StoreZero,8,\n"
    first = tmp_path / "first.csv"
    first.write_text(header + a + a + b)
    keys = [row.item["uuid"] for row in rows_of(tool, first)]
    assert len(set(keys)) == 3  # two identical rows are two entries
    assert keys == [row.item["uuid"] for row in rows_of(tool, first)]  # re-runs: same keys
    # Rows inserted above, or re-ordered, keep their keys; formatting differences don't matter.
    moved = tmp_path / "moved.csv"
    moved.write_text(header + b + "ALICE@abc.example, 2025-03-03 ,storezero,4.00,Calls\n" + a)
    assert sorted(row.item["uuid"] for row in rows_of(tool, moved)) == sorted(keys)
    # A corrected row is a new row.
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(header + "alice@abc.example,2025-03-03,StoreZero,4.5,Calls\n")
    assert rows_of(tool, fixed)[0].item["uuid"] not in keys


def test_an_explicit_uuid_column_wins(tool, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "user_id,date,project,hours,notes,uuid\n"
        "alice@abc.example,2025-03-03,StoreZero,4,,8c1b7a36-3f8e-4a51-9f0d-0a3c5d1e2b44\n"
    )
    assert rows_of(tool, path)[0].item["uuid"] == "8c1b7a36-3f8e-4a51-9f0d-0a3c5d1e2b44"


@pytest.mark.live
def test_usage_errors_exit_2_without_contacting_anyone(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, str(TOOL_PATH), "--api", "http://127.0.0.1:9", str(tmp_path / "x.csv")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert "--issuer" in result.stderr and "--client-id" in result.stderr and "--client-secret" in result.stderr
