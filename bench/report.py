"""The printed table and the ratios (issue #8), from one run's results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _lookup(backend: dict[str, Any]) -> Callable[[str, str, str], float | None]:
    table = {(s["name"], m["key"]): m["median"] for s in backend["scales"] for m in s["measures"]}

    def get(scale: str, key: str, figure: str) -> float | None:
        median = table.get((scale, key))
        return None if median is None else median.get(figure)

    return get


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


S, M, L = "100 entries", "10,000 entries", "1,000,000 entries"

# (what, how it is computed, target)
RATIOS: list[tuple[str, Callable[[Callable], float | None], str]] = [
    ("`GET /api/timesheets` req/s ÷ floor req/s (100 entries)",
     lambda g: _ratio(g(S, "api_list", "rps"), g(S, "floor", "rps")), "≥ 0.6"),
    ("`GET /api/timesheets` p99 ÷ floor p99 (100 entries)",
     lambda g: _ratio(g(S, "api_list", "p99_ms"), g(S, "floor", "p99_ms")), "≤ 2"),
    ("`POST /api/timesheets` req/s ÷ floor req/s",
     lambda g: _ratio(g(S, "post", "rps"), g(S, "floor", "rps")), "≥ 0.4"),
    ("`POST /api/timesheets` req/s ÷ write floor req/s (one row and one durable commit, no API)",
     lambda g: _ratio(g(S, "post", "rps"), g(S, "write_floor", "rps")), ""),
    ("write floor req/s ÷ floor req/s",
     lambda g: _ratio(g(S, "write_floor", "rps"), g(S, "floor", "rps")), ""),
    ("1,000-item upload time ÷ `bulk_create` time (same rows + audit rows)",
     lambda g: _ratio(g(M, "upload", "p50_ms"), g(M, "bulk_create", "p50_ms")), "≤ 2"),
    ("`GET /timesheets` 5,000 entries ÷ 10 entries (time per request, p50)",
     lambda g: _ratio(g(M, "timesheets_5000", "p50_ms"), g(M, "timesheets_10", "p50_ms")), "≤ 10"),
    ("worker peak RSS during `GET /timesheets` 5,000 entries (MB)",
     lambda g: g(M, "timesheets_5000", "peak_rss_mb"), "bounded"),
    ("worker peak RSS during `GET /timesheets` 10 entries (MB)",
     lambda g: g(M, "timesheets_10", "peak_rss_mb"), ""),
    ("`GET /api/timesheets` p50 at 1,000,000 rows ÷ at 10,000 rows",
     lambda g: _ratio(g(L, "api_list", "p50_ms"), g(M, "api_list", "p50_ms")), "≤ 1.2"),
    ("the same, each p50 first divided by its own scale's floor p50 (evens out a busy machine)",
     lambda g: _ratio(_ratio(g(L, "api_list", "p50_ms"), g(L, "floor", "p50_ms")),
                      _ratio(g(M, "api_list", "p50_ms"), g(M, "floor", "p50_ms"))), ""),
    ("admin entries list at 10,000 rows (s per page)",
     lambda g: _ratio(g(M, "admin", "p50_ms"), 1000), ""),
    ("admin entries list at 1,000,000 rows (s per page)",
     lambda g: _ratio(g(L, "admin", "p50_ms"), 1000), "≤ 0.5"),
    ("admin entries list, 1,000,000 ÷ 10,000 rows",
     lambda g: _ratio(g(L, "admin", "p50_ms"), g(M, "admin", "p50_ms")), "≤ 2"),
    ("admin entries list filtered to pending at 1,000,000 rows (s per page)",
     lambda g: _ratio(g(L, "admin_pending", "p50_ms"), 1000), "≤ 0.5"),
    ("admin entries list filtered to pending, 1,000,000 ÷ 10,000 rows",
     lambda g: _ratio(g(L, "admin_pending", "p50_ms"), g(M, "admin_pending", "p50_ms")), "≤ 2"),
]  # fmt: skip


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _ratio_fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def print_report(results: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    machine, settings = results["machine"], results["settings"]
    print()
    print(
        f"Machine: {machine['nproc']} CPUs ({machine['cpu_model']}), Python {machine['python']}, "
        f"SQLite {machine['sqlite']}, PostgreSQL {machine['postgresql'] or 'not run'}, {machine['wrk']}, "
        f"commit {machine['commit']}, load average at start {machine['loadavg_at_start'][0]:.2f}"
    )
    print(
        f"Server: gunicorn config.wsgi {settings['gunicorn_args']}, DEBUG off; "
        f"fast targets: wrk, {settings['connections']} connections; slow pages: one at a time; "
        f"medians of {settings['reps']} interleaved repetitions of ~{settings['duration_s']} s."
    )
    for backend, result in results["backends"].items():
        server = result.get("server", {})
        pinning = (
            f"server on CPU {server.get('cpu')}, wrk on CPU {server.get('wrk_cpu')}"
            if server.get("cpu") is not None
            else "not pinned (one CPU)"
        )
        model = server.get("worker_model", "?")
        print(f"\n### {NAMES.get(backend, backend)} {result['database']['version']} ({model}; {pinning})\n")
        print("| entries | target | conns | req/s | p50 ms | p99 ms | worker peak RSS MB | requests | errors |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for scale in result["scales"]:
            for m in scale["measures"]:
                med = m["median"]
                conns = {"load": str(settings["connections"]), "single": "1", "inproc": "-"}[m["kind"]]
                print(
                    f"| {scale['rows']:,} | {m['label']} | {conns} | {_fmt(med['rps'])} | {_fmt(med['p50_ms'])} | "
                    f"{_fmt(med['p99_ms'])} | {_fmt(med['peak_rss_mb'], 0)} | {med['requests']:,} | {med['errors']} |"
                )
    print("\n### Ratios (each from this one run)\n")
    backends = list(results["backends"])
    print("| measure | " + " | ".join(NAMES.get(b, b) for b in backends) + " | target |")
    print("|---|" + "---:|" * len(backends) + "---:|")
    ratios: dict[str, dict[str, float | None]] = {}
    lookups = {b: _lookup(results["backends"][b]) for b in backends}
    for what, compute, target in RATIOS:
        values = {b: compute(lookups[b]) for b in backends}
        ratios[what] = values
        shown = [_fmt(values[b], 0) if "(MB)" in what else _ratio_fmt(values[b]) for b in backends]
        print(f"| {what} | " + " | ".join(shown) + f" | {target} |")
    print(
        "\nconns 16: wrk, 16 connections, for the repetition's duration. conns 1: requested one at a time by the "
        "bench driver, each timed to its last byte (p50 is the time per request or page; with fewer than 100 "
        "requests p99 is the slowest). The bulk_create row is timed inside the driver process, 3 per repetition."
    )
    return ratios
