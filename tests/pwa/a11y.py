"""axe-core (npm, pinned in package.json) run inside the page: the accessibility check of every screen."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: `make js` installs the pinned axe-core (package-lock.json).")
    return AXE_JS.read_text()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every WCAG 2.x A/AA rule axe knows (and its best practices), as {id, impact, help, nodes} per violation.

    The script goes in through the DevTools protocol (page.evaluate), which the
    pages' Content-Security-Policy does not govern, so no page policy is loosened for it.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """() => axe.run(document, { resultTypes: ["violations"] }).then((result) =>
            result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
            })))"""
    )


def assert_accessible(page: Page, what: str = "") -> None:
    """0 axe-core violations on the page as shown (dialogs and popups included)."""
    violations = axe_violations(page)
    assert violations == [], f"axe-core violations{f' on {what}' if what else ''}: {violations}"
