"""Apps depend one way: `authn` and `idp` import no product app, and `authn` does not import `idp`.

The product (`timesheets`, `pwa`) imports them, never the reverse: the API
validates tokens from the embedded issuer as it would Auth0's (by URL), and the
issuer knows nothing of timesheets. Every module under authn/ and idp/ is read
with `ast`, so an import inside a function counts as much as one at the top, and
so do the ways Django names code in strings: `import_module("…")`,
`import_string("…")`, dotted paths such as `"timesheets.Entry"` (a lazy foreign
key) or `"timesheets.admin_sso.Backend"`, `apps.get_model("timesheets", …)` and
a migration's `dependencies`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_APPS = {"authn", "idp", "timesheets", "pwa", "config"}
FORBIDDEN = {
    "authn": {"idp", "timesheets", "pwa"},
    "idp": {"timesheets", "pwa"},
}
IMPORTING_CALLS = {"import_module", "import_string", "__import__"}
MODEL_LOOKUP_CALLS = {"get_model", "get_app_config"}
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_MIGRATION_NAME = re.compile(r"^(\d{4}_\w+|__first__|__latest__)$")


@dataclass(frozen=True)
class Edge:
    module: str
    line: int
    target: str  # the dotted name imported or named

    @property
    def app(self) -> str:
        return self.target.split(".")[0]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, name] if name else base)


def _constant_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def imported_names(source: str, *, module: str, is_package: bool = False) -> list[Edge]:
    """Every module (or dotted object path) `module` imports or names, with the line it does so."""
    tree = ast.parse(source)
    edges: list[Edge] = []

    def add(node: ast.AST, target: str) -> None:
        edges.append(Edge(module=module, line=getattr(node, "lineno", 0), target=target))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(node, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_relative(module, is_package, node.level, node.module) if node.level else node.module or ""
            add(node, base)
            for alias in node.names:
                if alias.name != "*":
                    add(node, f"{base}.{alias.name}")
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            first = _constant_str(node.args[0]) if node.args else None
            if first is None:
                continue
            if name in IMPORTING_CALLS:
                add(node, first)
            elif name in MODEL_LOOKUP_CALLS and first in PROJECT_APPS:
                add(node, first)
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            # A migration dependency: ("timesheets", "0001_initial").
            label, migration = (_constant_str(elt) for elt in node.elts)
            if label in PROJECT_APPS and migration is not None and _MIGRATION_NAME.match(migration):
                add(node, f"{label}.migrations.{migration}")
        elif (text := _constant_str(node)) is not None and _DOTTED.match(text):
            # A dotted path in a string (lazy model reference, backend or view path).
            if text.split(".")[0] in PROJECT_APPS:
                add(node, text)
    return sorted(set(edges), key=lambda edge: (edge.line, edge.target))


def forbidden_edges(edges: list[Edge]) -> list[Edge]:
    return [edge for edge in edges if edge.app in FORBIDDEN.get(edge.module.split(".")[0], set())]


def app_modules(app: str) -> list[Path]:
    return sorted(path for path in (ROOT / app).rglob("*.py") if "__pycache__" not in path.parts)


def edges_of(path: Path) -> list[Edge]:
    return imported_names(
        path.read_text(encoding="utf-8"), module=module_name(path), is_package=path.name == "__init__.py"
    )


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_nothing_it_must_not(app: str) -> None:
    paths = app_modules(app)
    assert len(paths) > 5, f"found too few modules under {app}/ to believe the scan"
    found = [edge for path in paths for edge in forbidden_edges(edges_of(path))]
    assert found == [], "\n".join(
        f"{edge.module}:{edge.line} uses {edge.target} ({edge.module.split('.')[0]} must not depend on {edge.app})"
        for edge in found
    )


def test_the_scan_reads_the_real_modules() -> None:
    """A scan that found nothing would pass the test above: it must see imports we know are there."""
    assert "idp.models.SigningKey" in {edge.target for edge in edges_of(ROOT / "idp" / "keys.py")}
    assert "authn.jwks" in {edge.target for edge in edges_of(ROOT / "authn" / "issuer.py")}
    # And the product's edges to them are allowed and seen (the direction is one way, not none).
    product = [edge for path in app_modules("timesheets") for edge in edges_of(path)]
    assert {"authn", "idp"} <= {edge.app for edge in product}


SYNTHETIC = """
import timesheets
import json
from timesheets.services import entry_create
from authn.permissions import READ

def later():
    from pwa import views
    return views

importlib.import_module("timesheets.services")
import_string("pwa.views.shell")
owner = models.ForeignKey("timesheets.Project", on_delete=models.CASCADE)
model = apps.get_model("timesheets", "Entry")
dependencies = [("timesheets", "0001_initial"), ("authn", "0001_initial")]
message = "timesheets are approved by managers."
"""


def test_each_way_of_depending_is_caught() -> None:
    found = forbidden_edges(imported_names(SYNTHETIC, module="idp.example"))
    assert [(edge.line, edge.target) for edge in found] == [
        (2, "timesheets"),
        (4, "timesheets.services"),
        (4, "timesheets.services.entry_create"),
        (8, "pwa"),
        (8, "pwa.views"),
        (11, "timesheets.services"),
        (12, "pwa.views.shell"),
        (13, "timesheets.Project"),
        (14, "timesheets"),
        (15, "timesheets.migrations.0001_initial"),
    ]


def test_authn_may_not_import_idp_but_idp_may_import_authn() -> None:
    source = "from idp.keys import active_key\nfrom authn.permissions import READ\n"
    assert [edge.target for edge in forbidden_edges(imported_names(source, module="authn.example"))] == [
        "idp.keys",
        "idp.keys.active_key",
    ]
    assert forbidden_edges(imported_names(source, module="idp.example")) == []


@pytest.mark.parametrize(
    ("module", "is_package", "source", "target"),
    [
        ("authn.example", False, "from ..timesheets import services\n", "timesheets"),
        ("authn.sub", True, "from ...pwa.views import shell\n", "pwa.views"),
        ("idp.management.commands.example", False, "from ....timesheets.models import Entry\n", "timesheets.models"),
    ],
)
def test_relative_imports_are_resolved(module: str, is_package: bool, source: str, target: str) -> None:
    found = forbidden_edges(imported_names(source, module=module, is_package=is_package))
    assert target in [edge.target for edge in found]
