"""Runs wrk (Debian's) against one target and reads back the JSON its Lua `done()` writes."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # socket errors, timeouts, statuses >= 400 and (when checked) any other unexpected status
    detail: dict = field(repr=False, default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Target:
    """What wrk sends: one GET with fixed headers, or a Lua script (`body_script`) building each body."""

    path: str
    headers: dict[str, str]
    expect: int = 200
    body_script: str | None = None  # post_entry.lua / upload.lua


def _script(target: Target, *, check_status: bool) -> str:
    prelude = f"bench_expect = {target.expect}\nbench_check_status = {'true' if check_status else 'false'}\n"
    parts = [prelude, (LUA_DIR / "report.lua").read_text()]
    if target.body_script:
        parts += [(LUA_DIR / "uuid.lua").read_text(), (LUA_DIR / target.body_script).read_text()]
    return "\n".join(parts)


def run_wrk(
    *,
    base_url: str,
    target: Target,
    connections: int,
    threads: int,
    seconds: int,
    cpu: int | None = None,
    lua_args: tuple[int, ...] = (0, 0),
) -> WrkRun:
    """One wrk run of `seconds`."""
    # Checking every status costs a Lua call per answer; GETs rely on wrk's own count of statuses >= 400.
    check_status = target.expect != 200
    with tempfile.TemporaryDirectory(prefix="abc-wrk-") as tmp:
        script = Path(tmp, "bench.lua")
        script.write_text(_script(target, check_status=check_status))
        out = Path(tmp, "out.json")
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "120s",
            "-s",
            str(script),
        ]
        for name, value in target.headers.items():
            command += ["-H", f"{name}: {value}"]
        command += [base_url + target.path, "--", *(str(a) for a in lua_args)]
        if cpu is not None:
            command = ["taskset", "-c", str(cpu), *command]
        env = {**os.environ, "BENCH_WRK_OUT": str(out)}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 300, check=False)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        report = json.loads(out.read_text())
    socket = report["errors"]
    errors = socket["connect"] + socket["read"] + socket["write"] + socket["timeout"]
    errors += report["unexpected_status"] if check_status else socket["status"]
    latency = report["latency_us"]
    return WrkRun(
        requests=report["requests"],
        seconds=report["duration_us"] / 1e6,
        p50_ms=latency["p50"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        errors=errors,
        detail=report,
    )
