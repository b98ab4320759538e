"""CPU time per request of the API's hot paths, in one process, through Django's WSGI handler.

    .venv/bin/python bench/profile_requests.py [--requests 2000] [--profile list|create|livez|write-floor]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abc_bench_profile .venv/bin/python bench/profile_requests.py

Calls the deployed WSGI application (config.wsgi's handler, every middleware) with
WSGI environs built here, no socket: `GET /livez` (the floor), `GET /api/timesheets`
(the caller owns 10 of 100 entries), `POST /api/timesheets` (a new uuid each) and
the write floor (one row and its commit through a bare Django view, see
bench/urls.py). Prints CPU time (process_time, robust on a shared machine)
and wall time per request, and their ratios to the floor. `--profile NAME`
prints a cProfile of that target. Asserts nothing: a tool run by hand to decide
what to optimise; `make bench` measures over HTTP.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def environ(method: str, path: str, *, token: str | None = None, body: bytes = b"", query: str = "") -> dict:
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "REMOTE_ADDR": "127.0.0.1",
    }
    if token:
        env["HTTP_AUTHORIZATION"] = "Bearer " + token
    if body:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per target and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians are printed)")
    parser.add_argument(
        "--profile",
        choices=["livez", "list", "list-50", "compat-10", "compat-50", "compat-5000", "create", "write-floor"],
        default=None,
    )
    parser.add_argument(
        "--big", action="store_true", help="10,000 entries (heidi owns 5,000), as the bench's second scale"
    )
    parser.add_argument("--callers", default="", help="with --profile: who calls functions matching this regex")
    parser.add_argument("--callees", default="", help="with --profile: what functions matching this regex call")
    parser.add_argument("--dump", default="", help="with --profile: write the profile (500 requests) to this file")
    parser.add_argument("--only", default="", help="comma-separated targets to time (default: all)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="abc-profile-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"  # the product's, plus the write floor
    os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["DEBUG"] = "false"
    Path(workdir, "static").mkdir()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from bench import data as bench_data
    from bench.server import gunicorn_conf
    from bench.wsgi import application
    from tests.support.issuer import IssuerServer, SigningKey, TokenFactory
    from timesheets.models import Entry

    key = SigningKey.generate("bench")
    issuer = IssuerServer([key])
    issuer.start()
    settings.TOKEN_ISSUER = issuer.url
    tokens = TokenFactory(issuer.url, settings.AUTH0_AUDIENCE, key, settings.AUTH0_EMAIL_CLAIM)
    people = bench_data.create_people()
    bench_data.give_entries(people, people.alice, 10)
    bench_data.add_filler(people, 0, 90)
    bench_data.give_entries(people, people.frank, 50)
    if args.big:
        bench_data.give_entries(people, people.heidi, 5000)
        bench_data.add_filler(people, 90, 10_000 - 5060)
    frank_token = tokens(sub=people.frank.sub, scopes=["read:timesheets"], email=people.frank.email)
    caller = people.alice
    token = tokens(sub=caller.sub, scopes=["read:timesheets"], email=caller.email)
    writer = people.dave  # creates entries: alice's list stays at 10
    writer_token = tokens(sub=writer.sub, scopes=["create:timesheets"], email=writer.email)
    project_id = people.first_project_id
    days = iter(range(10**7))

    def call(env: dict) -> bytes:
        status: list[str] = []
        body = b"".join(application(env, lambda s, h, exc=None: status.append(s)))
        assert status[0][:3] in ("200", "201"), (status, body[:300])
        return body

    def livez() -> None:
        call(environ("GET", "/livez"))

    def api_list() -> None:
        call(environ("GET", "/api/timesheets", token=token))

    def api_list_50() -> None:
        call(environ("GET", "/api/timesheets", token=frank_token))

    def compat_list_50() -> None:
        call(environ("GET", "/timesheets", token=frank_token))

    def compat_list_10() -> None:
        call(environ("GET", "/timesheets", token=token))

    heidi_token = tokens(sub=people.heidi.sub, scopes=["read:timesheets"], email=people.heidi.email)

    def compat_list_5000() -> None:
        call(environ("GET", "/timesheets", token=heidi_token))

    def create() -> None:
        n = next(days)
        body = json.dumps(
            {
                "date": f"{1700 + n // 336}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}",
                "project": project_id,
                "hours": 0.25,
                "uuid": str(uuid.uuid4()),
            }
        ).encode()
        call(environ("POST", "/api/timesheets", token=writer_token, body=body))

    def write_floor() -> None:
        query = f"owner={writer.pk}&project={project_id}"
        call(environ("POST", "/bench/write-floor", body=b"{}", query=query))

    targets: dict[str, Callable[[], None]] = {
        "livez": livez,
        "list": api_list,
        "list-50": api_list_50,
        "compat-50": compat_list_50,
        "compat-10": compat_list_10,
        "compat-5000": compat_list_5000,
        "create": create,
        "write-floor": write_floor,
    }
    targets_all = dict(targets)
    if args.only:
        targets = {name: targets[name] for name in args.only.split(",")}
    for target in targets.values():  # warm up: JWKS fetch, connections, first queries
        for _ in range(50):
            target()
    # The collector as a gunicorn worker runs it (gunicorn.conf.py's post_worker_init), so that
    # collections of the start-up heap are not charged to whichever function a profile is in.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*gunicorn_conf().GC_THRESHOLDS)
    cpu: dict[str, list[float]] = {name: [] for name in targets}
    wall: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(args.rounds):
        for name, target in targets.items():
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                target()
            cpu[name].append((time.process_time() - c0) / args.requests * 1000)
            wall[name].append((time.perf_counter() - w0) / args.requests * 1000)
    print(f"database: {connection.vendor}, {Entry.objects.count()} entries, {args.requests} requests x {args.rounds}")
    floor_cpu = statistics.median(cpu["livez"]) if "livez" in cpu else None
    for name in targets:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        ratio = f"  floor/this (CPU) {floor_cpu / c:5.3f}" if floor_cpu else ""
        print(f"{name:12s} CPU {c:7.3f} ms  wall {w:7.3f} ms{ratio}")
    # Python function calls per request: a measure of work that other processes' load does not move.
    for name, target in targets.items():
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(200):
            target()
        profiler.disable()
        calls = sum(stat[1] for stat in pstats.Stats(profiler).stats.values())
        print(f"{name:12s} {calls / 200:8.0f} Python function calls per request")
    if args.profile:
        target = targets_all[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(500):
            target()
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
        pstats.Stats(profiler).sort_stats("ncalls").print_stats(60)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(50)
        if args.callers:
            pstats.Stats(profiler).sort_stats("calls").print_callers(args.callers)
        if args.callees:
            pstats.Stats(profiler).sort_stats("calls").print_callees(args.callees)
    issuer.stop()


if __name__ == "__main__":
    main()
