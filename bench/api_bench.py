"""Benchmarks for the API's hot paths. Prints figures; asserts nothing.

    .venv/bin/python bench/api_bench.py [--rows 5000] [--repeat 200]

Runs in a throwaway SQLite database in a temp dir, with a stand-in issuer
serving JWKS over real HTTP, and times requests through Django's full stack:
token validation, the list page, creating an entry and a 1000-item upload.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="entries already in the database")
    parser.add_argument("--repeat", type=int, default=200, help="requests per measured operation")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="abc-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["VAR_DIR"] = workdir
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    Path(workdir, "static").mkdir()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from authn.models import User
    from tests.support.issuer import IssuerServer, SigningKey, TokenFactory
    from timesheets.models import Entry, Project

    call_command("migrate", verbosity=0)
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
    user_auth = {
        "HTTP_AUTHORIZATION": "Bearer " + tokens(sub=alice.sub, scopes=["read:timesheets", "create:timesheets"])
    }
    batch_auth = {
        "HTTP_AUTHORIZATION": "Bearer " + tokens(sub="bench@clients", scopes=["batch:upload"], gty="client-credentials")
    }
    client = Client()

    def measure(name: str, call, repeat: int) -> None:
        call()  # warm up (JWKS fetch, caches)
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = call()
            samples.append(time.perf_counter() - start)
            assert response.status_code < 300, response.content[:300]
        ms = [s * 1000 for s in samples]
        print(
            f"{name:<40} n={repeat:<5} median {statistics.median(ms):7.2f} ms   "
            f"p95 {sorted(ms)[int(len(ms) * 0.95) - 1]:7.2f} ms   {repeat / sum(samples):8.1f} req/s"
        )

    print(f"database: {settings.DATABASES['default']['ENGINE']}, {args.rows} existing entries")
    measure("GET /api/me (token validation only)", lambda: client.get("/api/me", **user_auth), args.repeat)
    measure("GET /api/timesheets (50 per page)", lambda: client.get("/api/timesheets", **user_auth), args.repeat)
    measure("GET /timesheets (sample format, all rows)", lambda: client.get("/timesheets", **user_auth), 5)
    days = iter(range(10**6))
    measure(
        "POST /api/timesheets",
        lambda: client.post(
            "/api/timesheets",
            {"date": f"2099-01-{1 + next(days) % 28:02d}", "project": "StoreZero", "hours": 0.25},
            content_type="application/json",
            **user_auth,
        ),
        min(args.repeat, 500),
    )
    batches = iter(range(10**6))

    def upload():
        n = next(batches)
        items = [
            {
                "user_id": "E1",
                "date": f"2098-{1 + n % 12:02d}-{1 + i % 28:02d}",
                "project": "StoreZero",
                "hours": 0.25,
                "uuid": str(uuid.uuid4()),
            }
            for i in range(1000)
        ]
        return client.post("/api/timesheets/upload", items, content_type="application/json", **batch_auth)

    measure("POST /api/timesheets/upload (1000 items)", upload, 5)
    issuer.stop()


if __name__ == "__main__":
    main()
