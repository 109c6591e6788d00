"""The kit's jobs are done once: no screen pages, sorts or handles Enter on its own.

Read as text (ast), so it names the module and line of any private copy."""

from __future__ import annotations

import ast
from pathlib import Path

import app.ui

UI = Path(app.ui.__file__).parent
KIT = UI / "kit"
# What only the kit may define: lazy paging and the Enter-once bookkeeping.
KIT_ONLY = {"canFetchMore", "fetchMore", "_table_just_activated", "_on_table_activated"}


def private_copies(source: str, name: str) -> list[str]:
    """``module:line name`` for every definition of a kit-only name in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name in KIT_ONLY:
            found.append(f"{name}:{node.lineno} {node.name}")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                attr = target.attr if isinstance(target, ast.Attribute) else getattr(
                    target, "id", None)
                if attr in KIT_ONLY:
                    found.append(f"{name}:{node.lineno} {attr}")
    return found


def test_no_screen_keeps_its_own_paging_or_enter_handling() -> None:
    offences = []
    for path in sorted(UI.rglob("*.py")):
        if KIT in path.parents:
            continue
        offences += private_copies(path.read_text(encoding="utf-8"),
                                   str(path.relative_to(UI)))
    assert offences == []


def test_the_check_finds_a_private_copy() -> None:
    source = (
        "class M:\n"
        "    def canFetchMore(self, parent):\n"
        "        return True\n"
        "class P:\n"
        "    _table_just_activated = False\n")
    assert private_copies(source, "x.py") == ["x.py:2 canFetchMore",
                                              "x.py:5 _table_just_activated"]
