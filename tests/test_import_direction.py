"""Imports point one way (STYLE.md "Layers"): every module under app/ is read with ast, not
imported, so a forbidden import is found even in a function body or a module no test loads.

- Below the UI nothing imports Qt or ``app.ui``; the bootstrap that starts the window is
  listed in :data:`BOOTSTRAP` with exactly what it may reach.
- ``app.reports`` renders what it is handed: no model, no service.
- ``app.models`` knows nothing above it: no service, report or UI.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import app

APP_DIR = Path(app.__file__).resolve().parent
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6")

# Modules outside app.ui that must reach the Qt layer, and the modules they may import there.
BOOTSTRAP: dict[str, frozenset[str]] = {
    # `stationcrm` without a command opens the window; a failed start shows its error in a
    # message box. The imports sit inside the start function. app.cli is not here: its
    # default command calls that function, and it imports no Qt at all.
    "app.__main__": frozenset({"app.ui.shell.app"}),
}


@dataclass(frozen=True)
class Offence:
    module: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.module} line {self.line}: imports {self.imported} ({self.rule})"


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _qt_below_the_ui(module: str, imported: str) -> str | None:
    if _under(module, "app.ui") or _under(imported, *BOOTSTRAP.get(module, ())):
        return None
    if _under(imported, *QT):
        return "Qt is for app.ui only"
    if _under(imported, "app.ui"):
        return "only app.ui imports app.ui"
    return None


def _reports_render_only(module: str, imported: str) -> str | None:
    if _under(module, "app.reports") and _under(imported, "app.models", "app.services"):
        return "app.reports renders the data handed in: no models, no services"
    return None


def _models_at_the_bottom(module: str, imported: str) -> str | None:
    if _under(module, "app.models") and _under(imported, "app.services", "app.reports",
                                                "app.ui"):
        return "app.models imports no service, report or UI"
    return None


RULES: tuple[Callable[[str, str], str | None], ...] = (
    _qt_below_the_ui, _reports_render_only, _models_at_the_bottom)


def imports_of(tree: ast.AST, module: str, *, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, module name) of every import in the tree, relative ones made absolute.

    ``from a import b`` yields ``a.b`` as well as ``a``: ``b`` may be a module
    (``from app import services``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            if base:
                yield node.lineno, base
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{base}.{alias.name}" if base else alias.name


def check_source(module: str, source: str, *, is_package: bool = False) -> list[Offence]:
    """The forbidden imports of one module's source, at most one per line and name."""
    found: dict[tuple[int, str], Offence] = {}
    for line, imported in imports_of(ast.parse(source), module, is_package=is_package):
        for rule in RULES:
            reason = rule(module, imported)
            if reason is not None:
                found.setdefault((line, imported), Offence(module, line, imported, reason))
                break
    # "from app.models import X" also yields app.models.X: name the module once per line.
    kept = [o for o in found.values()
            if not any(k[0] == o.line and o.imported.startswith(k[1] + ".") for k in found)]
    return sorted(kept, key=lambda o: (o.module, o.line, o.imported))


def app_modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(APP_DIR.rglob("*.py")):
        relative = path.relative_to(APP_DIR.parent).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        yield ".".join(parts), path


def test_every_module_imports_only_downwards() -> None:
    offences = [offence for module, path in app_modules()
                for offence in check_source(module, path.read_text(encoding="utf-8"),
                                            is_package=path.name == "__init__.py")]
    assert not offences, "\n".join(str(o) for o in offences)


def test_the_walk_reaches_every_layer() -> None:
    modules = {name for name, _path in app_modules()}
    assert {"app.cli", "app.models", "app.reports.page", "app.services.sales.orders",
            "app.services.slips", "app.ui.print_preview"} <= modules
    assert set(BOOTSTRAP) <= modules  # an exception for a module that is gone goes too


@pytest.mark.parametrize(("module", "source", "line", "imported"), [
    ("app.reports.fake", "import datetime\nfrom app.models import Order\n", 2, "app.models"),
    ("app.reports.fake", "from app import services\n", 1, "app.services"),
    ("app.reports.sub.fake", "from ...services.slips import order_slip_data\n", 1,
     "app.services.slips"),
    ("app.services.fake", "def show():\n    from PySide6.QtWidgets import QLabel\n", 2,
     "PySide6.QtWidgets"),
    ("app.services.fake", "import shiboken6\n", 1, "shiboken6"),
    ("app.services.fake", "from app.ui.context import AppContext\n", 1, "app.ui.context"),
    ("app.models.fake", "from app.services.permissions import Actor\n", 1,
     "app.services.permissions"),
    # The bootstrap may start the window, and nothing else of the UI.
    ("app.__main__", "def gui():\n    from app.ui.shell.main_window import MainWindow\n", 2,
     "app.ui.shell.main_window"),
    # The command line starts the window through app.__main__, not by itself.
    ("app.cli", "def gui():\n    from app.ui.shell.app import run_gui\n", 2,
     "app.ui.shell.app"),
])
def test_a_forbidden_import_is_reported_with_its_module_and_line(
        module: str, source: str, line: int, imported: str) -> None:
    offences = check_source(module, source)
    assert [(o.module, o.line, o.imported) for o in offences] == [(module, line, imported)]
    assert f"{module} line {line}: imports {imported}" in str(offences[0])


@pytest.mark.parametrize(("module", "source", "is_package"), [
    ("app.ui.fake", "from PySide6.QtCore import Qt\nfrom app.services import slips\n", False),
    ("app.services.fake", "from app.reports.data import StatTable\n", False),
    ("app.reports.fake", "from app.i18n import tr\nfrom .page import build_pdf\n", False),
    ("app.services.sales", "from .orders import create_order\n", True),
    ("app.__main__", "def gui():\n    from app.ui.shell.app import run_gui\n", False),
    ("app.cli", "def gui():\n    from app.__main__ import start_desktop\n", False),
])
def test_imports_that_point_down_pass(module: str, source: str, is_package: bool) -> None:
    assert check_source(module, source, is_package=is_package) == []
