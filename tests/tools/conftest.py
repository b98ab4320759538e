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
