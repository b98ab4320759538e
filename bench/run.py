"""`make bench`: the API's hot paths served as deployed, driven by wrk, on SQLite and PostgreSQL.

    .venv/bin/python bench/run.py [--quick] [--no-postgres] [--no-million] [--duration 8] [--reps 3]

For each database (SQLite in a temp dir; PostgreSQL in a throwaway database when
it answers on 127.0.0.1:5432) a child process (bench/driver.py) serves the
product with gunicorn and measures every target; this process prints one table
of figures and the ratios between them, and writes bench/results/<UTC time>.json.
It asserts nothing about speed: it is a measuring instrument, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import print_report  # noqa: E402

POSTGRES = "postgres://postgres@127.0.0.1:5432/"


def _postgres_version() -> str | None:
    """The server's version when PostgreSQL answers on 127.0.0.1:5432, else None."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES + "postgres", connect_timeout=3, autocommit=True) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # any failure means: not answering; bench SQLite only
        return None


def _postgres_database(action: str, name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES + "postgres", connect_timeout=3, autocommit=True) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _machine() -> dict[str, Any]:
    cpu_model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    import sqlite3

    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": (wrk.stdout or wrk.stderr).split("[")[0].strip(),
        "commit": commit.stdout.strip() + ("+changes" if dirty.stdout.strip() else ""),
        "loadavg_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SQLite only, no 1,000,000-row scale, 3 s runs")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-million", action="store_true", help="skip the 1,000,000-row scale")
    parser.add_argument("--duration", type=int, default=None, help="seconds per repetition (default 8; quick 3)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per target, round-robin (at least 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections for the load targets")
    parser.add_argument(
        "--gunicorn-args",
        default=os.environ.get("BENCH_GUNICORN_ARGS", "--workers 1 --timeout 120"),
        help="gunicorn's flags (default: one worker of make run's model for the database, gunicorn.conf.py)",
    )
    args = parser.parse_args()
    if args.reps < 3:
        parser.error("--reps must be at least 3")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run `make bench` (it installs Debian's wrk) or apt-get install wrk")
    duration = args.duration or (3 if args.quick else 8)
    skip_million = args.quick or args.no_million

    started = dt.datetime.now(dt.UTC)
    backends: list[tuple[str, str]] = [("sqlite", "")]
    pg_version = None if (args.quick or args.no_postgres) else _postgres_version()
    pg_name = f"abc_bench_{os.getpid()}"
    if pg_version:
        backends.append(("postgresql", POSTGRES + pg_name))
    else:
        print("PostgreSQL: " + ("skipped" if args.quick or args.no_postgres else "not answering on 127.0.0.1:5432"))

    results: dict[str, Any] = {
        "started_utc": started.isoformat(timespec="seconds"),
        "machine": {**_machine(), "postgresql": pg_version},
        "settings": {
            "duration_s": duration,
            "reps": args.reps,
            "connections": args.connections,
            "gunicorn_args": args.gunicorn_args,
            "million": not skip_million,
        },
        "backends": {},
    }
    for backend, url in backends:
        if backend == "postgresql":
            _postgres_database("create", pg_name)
        out = Path(tempfile.mkstemp(prefix="abc-bench-", suffix=".json")[1])
        command = [
            sys.executable, str(ROOT / "bench/driver.py"), "--backend", backend, "--database-url", url,
            "--out", str(out), "--duration", str(duration), "--reps", str(args.reps),
            "--connections", str(args.connections), "--gunicorn-args", args.gunicorn_args,
        ]  # fmt: skip
        if skip_million:
            command.append("--quick")
        began = time.monotonic()
        try:
            subprocess.run(command, cwd=ROOT, check=True)
            results["backends"][backend] = {**json.loads(out.read_text()), "seconds": round(time.monotonic() - began)}
        finally:
            out.unlink(missing_ok=True)
            if backend == "postgresql":
                _postgres_database("drop", pg_name)

    results["finished_utc"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["ratios"] = print_report(results)
    target_dir = ROOT / "bench/results"
    target_dir.mkdir(exist_ok=True)
    path = target_dir / (started.strftime("%Y-%m-%dT%H-%M-%SZ") + ".json")
    path.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nWritten: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
