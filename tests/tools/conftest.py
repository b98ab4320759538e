from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

TOOL_PATH = Path(__file__).resolve().parents[2] / "tools" / "upload_timesheets.py"


@pytest.fixture(scope="session")
def tool() -> ModuleType:
    """tools/upload_timesheets.py as a module (it is a standalone script, not a package)."""
    spec = importlib.util.spec_from_file_location("upload_timesheets", TOOL_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["upload_timesheets"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def embedded_tenant(live_server, settings) -> dict:
    """The live server as the embedded issuer, and the demo tenant's batch client credentials."""
    from authn.issuer import reset_caches
    from tests.support.tenant import demo_tenant_json, serve_embedded_issuer_at

    serve_embedded_issuer_at(settings, live_server.url)
    tenant = demo_tenant_json()
    assert tenant["issuer"] == live_server.url + "/"
    yield tenant
    reset_caches()


@pytest.fixture
def run_tool(embedded_tenant, live_server):
    """run_tool(file, api=..., extra args...) -> (exit status, summary dict, stderr), as a subprocess."""
    import json
    import os
    import subprocess

    def _run(path, *extra: str, api: str | None = None) -> tuple[int, dict, str]:
        env = {
            **os.environ,
            "TIMESHEETS_API_URL": api or live_server.url,
            "TIMESHEETS_ISSUER": embedded_tenant["issuer"],
            "TIMESHEETS_CLIENT_ID": embedded_tenant["batch_client_id"],
            "TIMESHEETS_CLIENT_SECRET": embedded_tenant["batch_client_secret"],
            "TIMESHEETS_AUDIENCE": embedded_tenant["audience"],
        }
        result = subprocess.run(
            [sys.executable, str(TOOL_PATH), "--json", "--quiet", "--backoff", "0.05", *extra, str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        summary = json.loads(result.stdout) if result.stdout.strip() else {}
        return result.returncode, summary, result.stderr

    return _run
