"""Property-based: whatever a client sends to the documented API, the answer is never a 5xx.

Schemathesis reads the live OpenAPI schema and sends generated requests (valid
and invalid bodies, parameters, methods) over real HTTP to a live server, with
a real token for a person holding every scope.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from authn.permissions import ALL_SCOPES
from timesheets.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).with_name("st")


def test_no_request_gets_a_server_error(live_server, make_token, alice, bob, carol, store_zero, tmp_path):
    # Something to find, edit and decide on: entries with low ids.
    Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=2)
    Entry.objects.create(owner=bob, date="2026-11-23", project=store_zero, hours=2)
    token = make_token(sub=carol.sub, email=carol.email, scopes=list(ALL_SCOPES), lifetime=3600)
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "20",
            "--phases",
            "coverage,fuzzing",
            "--seed",
            "20261128",
            "--workers",
            "1",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Tested: 20" in result.stdout, result.stdout[-2000:]
