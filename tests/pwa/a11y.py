"""axe-core in the page: `assert_accessible(page)` runs Deque's checks (WCAG 2.x A/AA rules)
on what the screen shows and fails with each violation named."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
# Pinned in package.json / package-lock.json; `make js` installs it. AXE_CORE_JS may name another copy.
AXE_PATH = Path(os.getenv("AXE_CORE_JS") or ROOT / "node_modules" / "axe-core" / "axe.min.js")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@cache
def _axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(f"{AXE_PATH} is missing: `make js` installs axe-core (package.json).")
    return AXE_PATH.read_text(encoding="utf-8")


def assert_accessible(page: Page, what: str = "") -> None:
    """0 axe-core violations on the page as shown (dialogs and popups included)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the app's Content-Security-Policy stays as it is.
        page.evaluate(_axe_source() + "\n;0")
    violations = page.evaluate(
        """(tags) => axe.run(document, { runOnly: { type: "tag", values: tags } })
            .then((result) => result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((node) => node.target.join(" ")).slice(0, 5),
            })))""",
        TAGS,
    )
    assert violations == [], f"axe-core violations{f' on {what}' if what else ''}: {violations}"
