"""One database's bench, run by bench/run.py in a child process (Django's settings are per process).

Serves the product with gunicorn on a throwaway database, with a stand-in issuer
(tests/support/issuer.py) the server trusts through OIDC_ISSUER, loads the data
for each scale in SQL, measures each target and writes what it measured as
JSON. Targets of one scale run round-robin: a warm-up of each, then repetition
1 of each, repetition 2 of each, ...

Two ways of measuring over HTTP: "load" targets (fast API calls) are driven by
wrk with 16 connections; "single" targets (pages that take 10 ms to 10 s: the
sample-format list, the admin list, a 1,000-item upload) are requested one at a
time by this process, each timed to its last byte, because wrk cannot stop after
a number of requests and a handful of slow requests would not fit its windows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import Target, run_wrk  # noqa: E402
from bench.server import Gunicorn, admin_session_cookie, free_port, gunicorn_conf, request  # noqa: E402
from tests.support.issuer import IssuerServer, SigningKey, TokenFactory  # noqa: E402

# The first day of POSTed and uploaded entries (1700-01-01), far from the loaded data (from 2000) and in the
# past: a date more than ENTRY_MAX_DAYS_AHEAD ahead is refused (POST's second wrk thread starts 100,000 days on).
FIRST_WRITE_DAY = (dt.date(1700, 1, 1) - dt.date(1970, 1, 1)).days
WARMUP_SECONDS = 2
JSON = {"Content-Type": "application/json"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Measure:
    key: str  # e.g. "api_list" (ratios look measures up by key and scale)
    label: str
    kind: str  # "load" (16 connections), "single" (one connection), "inproc" (the driver times Python)
    target: Target | None = None
    check: Callable[[int, bytes], str | None] | None = None  # the warm-up answer: an error message or None
    after: Callable[[], None] | None = None  # restores the table after each run that wrote
    inproc: Callable[[], float] | None = None
    make_body: Callable[[], bytes] | None = None  # single targets that POST: a new body per request
    per_rep: int = 0  # single targets: requests per repetition (from the warm-up's time)
    reps: list[dict[str, Any]] = field(default_factory=list)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.server_cpu, self.load_cpu = _cpus()
        self.results: dict[str, Any] = {"backend": args.backend, "scales": []}

    # --- measuring ---------------------------------------------------------------------------------
    def _wrk(self, measure: Measure, seconds: int) -> Any:
        run = run_wrk(
            base_url=self.base_url,
            target=measure.target,
            connections=self.args.connections,
            threads=2 if self.args.connections > 1 else 1,
            seconds=seconds,
            cpu=self.load_cpu,
            lua_args=(FIRST_WRITE_DAY, int(time.time()) % 100_000),
        )
        # wrk stops at its deadline, but requests already sent are still queued or running at the server:
        # the next run (or the table's clean-up) waits until they are answered.
        self.server.wait_idle()
        return run

    def warm_up(self, measure: Measure) -> None:
        if measure.kind == "inproc":
            measure.inproc()
            measure.after()
            return
        started = time.perf_counter()
        status, _, body, _ = self._request(measure)
        seconds = time.perf_counter() - started
        problem = (
            f"status {status}" if status != measure.target.expect else measure.check and measure.check(status, body)
        )
        if measure.after:
            measure.after()
        if problem:
            raise RuntimeError(f"{measure.label}: {problem}: {body[:300]!r}")
        if measure.kind == "load":
            self._wrk(measure, WARMUP_SECONDS)
        else:
            # Enough requests for about one repetition's duration, at least one.
            measure.per_rep = max(1, math.ceil(self.args.duration / max(seconds, 1e-3)))
        if measure.after:
            measure.after()

    def _request(self, measure: Measure) -> tuple[int, dict[str, str], bytes, list[str]]:
        target = measure.target
        if measure.make_body:
            body = measure.make_body()
        else:
            body = self.sample_bodies.get(target.body_script) if target.body_script else None
        return request(self.port, "POST" if body else "GET", target.path, headers=target.headers, body=body)

    def _one_at_a_time(self, measure: Measure) -> dict[str, Any]:
        """`per_rep` requests in sequence, each on a new connection (as wrk does with a sync worker)."""
        samples, errors = [], 0
        began = time.perf_counter()
        for _ in range(measure.per_rep):
            started = time.perf_counter()
            status = self._request(measure)[0]
            samples.append((time.perf_counter() - started) * 1000)
            errors += status != measure.target.expect
        seconds = time.perf_counter() - began
        ordered = sorted(samples)
        return {"requests": len(samples), "rps": len(samples) / seconds, "p50_ms": statistics.median(samples),
                "p99_ms": ordered[math.ceil(0.99 * len(ordered)) - 1], "max_ms": ordered[-1], "errors": errors,
                "seconds": seconds}  # fmt: skip

    def run_once(self, measure: Measure) -> None:
        if measure.kind == "inproc":
            samples = []
            for _ in range(3):
                samples.append(measure.inproc() * 1000)
                measure.after()
            measure.reps.append(
                {"requests": 3, "rps": 1000 / statistics.median(samples), "p50_ms": statistics.median(samples),
                 "p99_ms": max(samples), "errors": 0, "samples_ms": samples}
            )  # fmt: skip
            return
        reset = self.server.reset_peak_rss()
        if measure.kind == "load":
            run = self._wrk(measure, self.args.duration)
            figures = {"requests": run.requests, "rps": run.rps, "p50_ms": run.p50_ms, "p99_ms": run.p99_ms,
                       "max_ms": run.max_ms, "errors": run.errors, "seconds": run.seconds}  # fmt: skip
        else:
            figures = self._one_at_a_time(measure)
        figures["peak_rss_mb"] = self.server.peak_rss_mb() if reset else None
        measure.reps.append(figures)
        if measure.after:
            measure.after()

    def run_scale(self, name: str, rows: int, measures: list[Measure]) -> None:
        from bench.data import entry_count

        assert entry_count() == rows, f"expected {rows} entries, found {entry_count()}"
        log(f"{self.args.backend} {name}: warm-up")
        for measure in measures:
            self.warm_up(measure)
        for rep in range(self.args.reps):
            for measure in measures:
                self.run_once(measure)
                last = measure.reps[-1]
                log(
                    f"{self.args.backend} {name} rep {rep + 1}/{self.args.reps} {measure.label}: "
                    f"{last['rps']:.1f} req/s, p50 {last['p50_ms']:.1f} ms, p99 {last['p99_ms']:.1f} ms"
                    + (f", {last['errors']} errors" if last["errors"] else "")
                )
        assert entry_count() == rows, f"the runs left {entry_count()} entries, expected {rows}"
        self.results["scales"].append(
            {
                "name": name,
                "rows": rows,
                "measures": [
                    {"key": m.key, "label": m.label, "kind": m.kind, "reps": m.reps, "median": _medians(m.reps)}
                    for m in measures
                ],
            }
        )

    # --- the run -------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        workdir = Path(tempfile.mkdtemp(prefix="abc-bench-"))
        key = SigningKey.generate("bench")
        issuer = IssuerServer([key])
        issuer.start()
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(workdir),
            "DATABASE_URL": self.args.database_url or f"sqlite:///{workdir}/bench.sqlite3",
            "OIDC_ISSUER": issuer.url,
            "PUBLIC_URL": self.base_url,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        for name in ("AUTH0_DOMAIN", "ALLOWED_HOSTS", "SECRET_KEY", "ADMIN_OIDC_CLIENT_ID", "DATABASE_CONN_MAX_AGE"):
            os.environ.pop(name, None)
        os.environ.update(env)
        server = None
        try:
            server = self._prepare_and_serve(issuer, key, workdir)
            self._scales()
        finally:
            if server is not None:
                server.stop()
            issuer.stop()
            shutil.rmtree(workdir, ignore_errors=True)
        return self.results

    def _prepare_and_serve(self, issuer: IssuerServer, key: SigningKey, workdir: Path) -> Gunicorn:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from bench import data

        call_command("migrate", "--noinput", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        self.people = people = data.create_people()
        tokens = TokenFactory(issuer.url, settings.AUTH0_AUDIENCE, key, settings.AUTH0_EMAIL_CLAIM)
        lifetime = 6 * 3600

        def bearer(user: Any, scopes: list[str]) -> dict[str, str]:
            token = tokens(sub=user.sub, email=user.email, scopes=scopes, lifetime=lifetime)
            return {"Authorization": f"Bearer {token}"}

        self.auth = {
            "alice": bearer(people.alice, ["read:timesheets"]),
            "frank": bearer(people.frank, ["read:timesheets"]),
            "heidi": bearer(people.heidi, ["read:timesheets"]),
            "dave": bearer(people.dave, ["read:timesheets", "create:timesheets"]),
            "carol": bearer(people.carol, ["read:timesheets", "approve:timesheets"]),
            "batch": {
                "Authorization": "Bearer "
                + tokens(
                    sub=f"{data.BATCH_CLIENT_ID}@clients",
                    azp=data.BATCH_CLIENT_ID,
                    scopes=["batch:upload"],
                    gty="client-credentials",
                    lifetime=lifetime,
                )
            },
        }
        self.sample_bodies = {
            "empty_post.lua": b"{}",
            "post_entry.lua": json.dumps(
                {"date": "1699-12-31", "project": "StoreZero", "hours": 0.25, "uuid": str(uuid.uuid4())}
            ).encode(),
        }  # fmt: skip
        self.results["database"] = {"vendor": connection.vendor, "version": _database_version(connection)}
        connection.close()  # the driver's connection must not hold SQLite locks while the server runs
        gunicorn_args = self.args.gunicorn_args.split()
        self.server = Gunicorn(
            port=self.port,
            env={**os.environ},
            cpu=self.server_cpu,
            args=gunicorn_args,
            log=workdir / "gunicorn.log",
        )
        self.results["server"] = {
            "command": " ".join(self.server.command),
            "worker_model": _worker_model(gunicorn_args),
            "cpu": self.server_cpu,
            "wrk_cpu": self.load_cpu,
        }
        self.admin_cookie = admin_session_cookie(self.port, self.base_url, "carol", people.carol_password)
        return self.server

    def _scales(self) -> None:
        from bench import data

        people = self.people
        json_len = _expect_json_len

        def api_list(who: str, rows: int) -> Measure:
            return Measure("api_list", f"GET /api/timesheets (caller owns {rows})", "load",
                           Target("/api/timesheets", self.auth[who]), check=json_len(rows, "results"))  # fmt: skip

        floor = Measure("floor", "GET /livez (floor)", "load", Target("/livez", {}))
        approvals = Measure("approvals", "GET /api/approvals (manager)", "load",
                            Target("/api/approvals", self.auth["carol"]), check=json_len(50, "results"))  # fmt: skip
        admin_headers = {"Cookie": self.admin_cookie}
        admin = Measure("admin", "admin entries list", "single",
                        Target("/admin/timesheets/entry/", admin_headers), check=_admin_page)  # fmt: skip
        admin_pending = Measure("admin_pending", "admin entries list, pending", "single",
                                Target("/admin/timesheets/entry/?status__exact=pending", admin_headers),
                                check=_admin_page)  # fmt: skip

        # 100 entries: alice owns 10, 90 filler rows.
        data.give_entries(people, people.alice, 10)
        data.add_filler(people, 0, 90)
        post = Measure("post", "POST /api/timesheets (new uuid each)", "load",
                       Target("/api/timesheets", {**self.auth["dave"], **JSON}, expect=201,
                              body_script="post_entry.lua"),
                       after=lambda: data.delete_entries_of(people.dave))  # fmt: skip
        write_floor = Measure("write_floor", "POST /bench/write-floor (one row, one commit)", "load",
                              Target(f"/bench/write-floor?owner={people.dave.pk}&project={people.first_project_id}",
                                     JSON, expect=201, body_script="empty_post.lua"),
                              after=lambda: data.delete_entries_of(people.dave))  # fmt: skip
        self.run_scale("100 entries", 100, [floor, api_list("alice", 10), approvals, post, write_floor])

        # 10,000 entries: + frank 50, heidi 5,000, filler to 10,000.
        data.give_entries(people, people.frank, 50)
        data.give_entries(people, people.heidi, 5000)
        data.add_filler(people, 90, 10_000 - 5060)
        ts = [
            Measure(f"timesheets_{n}", f"GET /timesheets ({n:,} entries)", "single",
                    Target("/timesheets", self.auth[who]), check=json_len(n))
            for who, n in (("alice", 10), ("heidi", 5000))
        ]  # fmt: skip
        upload = Measure("upload", "POST /api/timesheets/upload (1,000 items)", "single",
                         Target("/api/timesheets/upload", {**self.auth["batch"], **JSON}, expect=201),
                         after=data.delete_batch_entries, make_body=_upload_bodies())  # fmt: skip
        bulk = Measure("bulk_create", "bulk_create 1,000 entries + audit rows (in-process)", "inproc",
                       inproc=lambda: data.bulk_create_batch(people, FIRST_WRITE_DAY),
                       after=data.delete_batch_entries)  # fmt: skip
        fresh = _fresh
        self.run_scale(
            "10,000 entries",
            10_000,
            [fresh(floor), fresh(api_list("frank", 50)), *ts, fresh(admin), fresh(admin_pending), upload, bulk],
        )
        if self.args.quick:
            return

        # 1,000,000 entries: filler to 1,000,000.
        log(f"{self.args.backend}: loading 1,000,000 entries")
        seconds = data.add_filler(people, 10_000 - 5060, 1_000_000 - 5060)
        self.results["load_1m_seconds"] = round(seconds, 1)
        log(f"{self.args.backend}: loaded in {seconds:.0f} s")
        self.run_scale(
            "1,000,000 entries",
            1_000_000,
            [fresh(floor), fresh(api_list("frank", 50)), fresh(approvals), fresh(admin), fresh(admin_pending)],
        )


def _upload_bodies() -> Callable[[], bytes]:
    """1,000 items per body, 5 for each of 200 employees at 0.25 h on dates of their own, new uuids."""
    counter = iter(range(10**9))

    def body() -> bytes:
        first = dt.date(1970, 1, 1) + dt.timedelta(days=FIRST_WRITE_DAY + 5 * next(counter))
        return json.dumps(
            [
                {"user_id": f"E{i % 200 + 1:03d}", "date": str(first + dt.timedelta(days=i // 200)),
                 "project": "StoreZero", "hours": 0.25, "uuid": str(uuid.uuid4())}
                for i in range(1000)
            ]
        ).encode()  # fmt: skip

    return body


def _fresh(measure: Measure) -> Measure:
    """The same target, measured anew at another scale."""
    return Measure(
        measure.key, measure.label, measure.kind, measure.target, measure.check, measure.after,
        measure.inproc, measure.make_body,
    )  # fmt: skip


def _expect_json_len(n: int, key: str | None = None) -> Callable[[int, bytes], str | None]:
    def check(status: int, body: bytes) -> str | None:
        document = json.loads(body)
        items = document[key] if key else document
        return None if len(items) == n else f"{len(items)} items, expected {n}"

    return check


def _admin_page(status: int, body: bytes) -> str | None:
    return None if b'id="changelist"' in body else "not the entries changelist (signed out?)"


def _medians(reps: list[dict[str, Any]]) -> dict[str, Any]:
    def median(name: str) -> float | None:
        values = [r[name] for r in reps if r.get(name) is not None]
        return statistics.median(values) if values else None

    rss = [r["peak_rss_mb"] for r in reps if r.get("peak_rss_mb") is not None]
    return {
        "rps": median("rps"),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        "peak_rss_mb": max(rss) if rss else None,
        "requests": sum(r["requests"] for r in reps),
        "errors": sum(r["errors"] for r in reps),
    }


def _database_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        return cursor.fetchone()[0]


def _worker_model(gunicorn_args: list[str]) -> str:
    """The worker class and threads the server runs: gunicorn.conf.py's choice for DATABASE_URL, or the flags'."""
    conf = gunicorn_conf()
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-k", "--worker-class", default=conf.worker_class)
    parser.add_argument("--threads", type=int, default=conf.threads)
    flags, _ = parser.parse_known_args(gunicorn_args)
    worker_class = "gthread" if flags.worker_class == "sync" and flags.threads > 1 else flags.worker_class
    return worker_class + (f", {flags.threads} threads" if worker_class == "gthread" else "")


def _cpus() -> tuple[int | None, int | None]:
    """Server on one core, wrk on another when there are two or more."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return cpus[0], cpus[1]


def main() -> None:
    parser = argparse.ArgumentParser(description="one database's bench (run by bench/run.py)")
    parser.add_argument("--backend", required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--out", required=True)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--gunicorn-args", default="--workers 1 --timeout 120")
    args = parser.parse_args()
    results = Bench(args).run()
    Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
