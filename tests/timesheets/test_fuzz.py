"""Property-based: the API does what its OpenAPI description says, for every kind of caller.

Schemathesis reads the live schema and sends generated requests (valid and
invalid bodies, parameters, methods, missing auth) over real HTTP to a live
server, and runs every check it has: no 5xx, status codes, content types,
response bodies and headers as declared, valid data accepted, invalid data
rejected, auth not ignored. It does so once per kind of caller, each with a
real token: an employee, a manager and a batch (client credentials) client.
Operations a caller lacks the scope for must answer the declared 403.

Phases: examples, coverage (every boundary and every kind of invalid value, for
each parameter and body property) and fuzzing (10 examples per operation). The
stateful phase is left out: the schema declares no links between operations.
Fixed seed, so a run is reproducible. The one stated exception to the checks is
in schemathesis.toml next to this file. About 55 CPU-seconds for the three runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from authn.permissions import APPROVE, BATCH_UPLOAD, CREATE, DELETE, READ
from timesheets.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).with_name("st")
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Every operation in the schema: 20 under /api/ (6 of them weeks, 4 the timer), 5 sample-client root routes.
OPERATIONS = 25


def token_for(role: str, make_token, alice, carol) -> str:
    if role == "employee":
        return make_token(sub=alice.sub, email=alice.email, scopes=[READ, CREATE, DELETE], lifetime=3600)
    if role == "manager":
        return make_token(sub=carol.sub, email=carol.email, scopes=[READ, CREATE, DELETE, APPROVE], lifetime=3600)
    return make_token(
        sub="batch-client@clients",
        scopes=[BATCH_UPLOAD, READ],
        gty="client-credentials",
        azp="batch-client",
        lifetime=3600,
    )


@pytest.mark.parametrize("role", ["employee", "manager", "batch client"])
def test_the_api_keeps_its_contract(role, live_server, make_token, alice, bob, carol, store_zero, tmp_path):
    # Something to find, edit and decide on: entries with low ids.
    Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=2)
    Entry.objects.create(owner=bob, date="2026-11-23", project=store_zero, hours=2)
    token = token_for(role, make_token, alice, carol)
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            "10",
            "--phases",
            "examples,coverage,fuzzing",
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
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-2000:]
    assert f"Tested: {OPERATIONS}" in result.stdout, result.stdout[-2000:]
