"""A 1,000-item upload against `bulk_create` of the same rows, in one process and one database.

    .venv/bin/python bench/upload_inprocess.py [--rows 5000] [--repeat 5] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abc_bench_upload .venv/bin/python bench/upload_inprocess.py

Prints the median time of `POST /api/timesheets/upload` (1,000 new items, through
Django's test client: token check, parsing, rules, writes, the JSON answer) and of
`bulk_create` of the same 1,000 entries plus their 1,000 audit rows, and the
ratio. `--profile` prints a cProfile of one upload. Asserts nothing: a tool run
by hand, not a test (`make bench` times the same comparison over HTTP).

SQLite runs in a throwaway file; for PostgreSQL the named database is dropped
and created afresh (it must not be one you keep).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="entries already in the database")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one upload")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="abc-upload-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "false"
    Path(workdir, "static").mkdir()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    from authn.models import User
    from tests.support.issuer import IssuerServer, SigningKey, TokenFactory
    from timesheets.models import Entry, EntryAudit, EntrySource, Project
    from timesheets.services.entries import entry_snapshot

    # A test database (test_<name>; for SQLite a file in the temp dir), created and dropped here.
    if connection.vendor == "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = f"{workdir}/test.sqlite3"
    old_config = setup_databases(verbosity=0, interactive=False)
    key = SigningKey.generate("bench")
    issuer = IssuerServer([key])
    issuer.start()
    settings.TOKEN_ISSUER = issuer.url
    tokens = TokenFactory(issuer.url, settings.AUTH0_AUDIENCE, key, settings.AUTH0_EMAIL_CLAIM)

    alice = User.objects.create(username="alice", sub="auth0|alice", email="alice@abc.example", employee_number="E1")
    project = Project.objects.create(name="StoreZero")
    Entry.objects.bulk_create(
        [
            Entry(
                owner=alice,
                date=f"20{10 + i // 336:02d}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}",
                project=project,
                hours=0.25,
                uuid=uuid.uuid4(),
            )
            for i in range(args.rows)
        ],
        batch_size=1000,
    )
    batch_auth = {
        "HTTP_AUTHORIZATION": "Bearer "
        + tokens(sub="bench@clients", scopes=["batch:upload"], gty="client-credentials", azp="bench")
    }
    client = Client()
    runs = iter(range(10**6))

    def items() -> list[dict]:
        n = next(runs)
        year = 1790 + n // 12
        return [
            {
                "user_id": "E1",
                "date": f"{year}-{1 + n % 12:02d}-{1 + i % 28:02d}",
                "project": "StoreZero",
                "hours": 0.25,
                "notes": f"item {i}",
                "uuid": str(uuid.uuid4()),
            }
            for i in range(1000)
        ]

    def upload() -> float:
        body = items()
        start = time.perf_counter()
        response = client.post("/api/timesheets/upload", body, content_type="application/json", **batch_auth)
        elapsed = time.perf_counter() - start
        assert response.status_code == 201, response.content[:300]
        return elapsed

    def bulk() -> float:
        body = items()
        start = time.perf_counter()
        with transaction.atomic():
            entries = Entry.objects.bulk_create(
                [
                    Entry(
                        owner=alice,
                        date=dt.date.fromisoformat(item["date"]),
                        project=project,
                        hours=Decimal(str(item["hours"])),
                        notes=item["notes"],
                        uuid=item["uuid"],
                        source=EntrySource.BATCH,
                        client_id="bench",
                    )
                    for item in body
                ]
            )
            EntryAudit.objects.bulk_create(
                [
                    EntryAudit(
                        entry=entry,
                        entry_uuid=entry.uuid,
                        owner=alice,
                        action=EntryAudit.Action.CREATED,
                        client_id="bench",
                        changes={"after": entry_snapshot(entry)},
                    )
                    for entry in entries
                ]
            )
        return time.perf_counter() - start

    upload()  # warm up: JWKS fetch, first queries
    bulk()
    uploads, bulks = [], []
    for _ in range(args.repeat):  # interleaved, so drift hits both alike
        uploads.append(upload())
        bulks.append(bulk())
    if args.profile:
        body = items()
        profiler = cProfile.Profile()
        profiler.enable()
        client.post("/api/timesheets/upload", body, content_type="application/json", **batch_auth)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)

    upload_ms, bulk_ms = statistics.median(uploads) * 1000, statistics.median(bulks) * 1000
    print(f"database: {connection.vendor}, {Entry.objects.count()} entries at the end, {args.repeat} runs each")
    print(f"POST /api/timesheets/upload (1,000 items)     median {upload_ms:8.1f} ms")
    print(f"bulk_create 1,000 entries + 1,000 audit rows  median {bulk_ms:8.1f} ms")
    print(f"ratio upload / bulk_create                    {upload_ms / bulk_ms:8.2f}")
    issuer.stop()
    teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
