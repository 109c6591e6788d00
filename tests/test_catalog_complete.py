"""Every message made below the UI has its Chinese: a ``tr("…")`` without an entry in
``app.i18n_zh.CATALOG_ZH`` would reach a Chinese station in English.

Reads the source with :mod:`ast`, so it sees what the program can say without running it:
the literal text given to ``tr``, ``translate`` (without a label family), ``audit.say`` and
``audit.Words``, both texts of ``tr("a" if … else "b")``, and the text a name given instead
holds, when the module or the calling function assigns it (``tr(LOGIN_REFUSED)``). Text
built at run time is out of its reach.
The Qt interface (``app/ui``) translates with Qt's own catalog and is not read here.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import app
from app.i18n_zh import CATALOG_ZH

APP = Path(app.__file__).parent
# The interface has Qt's catalog; the catalogs themselves are not callers.
SKIPPED = ("ui", "i18n.py", "i18n_zh.py")
TRANSLATING = frozenset({"tr", "translate", "say", "Words"})
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _sources() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py")
                  if p.relative_to(APP).parts[0] not in SKIPPED)


def _called(node: ast.Call) -> str | None:
    """``tr``, ``audit.say`` … by the name called; ``self.tr`` (Qt's) is not ours."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id != "self":
        return func.attr
    return None


def _assigned(statements: list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """``name = <expression>`` made directly in ``statements`` or in blocks under them
    (not in nested functions), for a call that gives its text by name."""
    found: dict[str, list[ast.expr]] = {}
    pending = list(statements)
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name):
            found.setdefault(statement.targets[0].id, []).append(statement.value)
        for block in ("body", "orelse", "finalbody", "handlers"):
            pending.extend(getattr(statement, block, []))
    return found


def _calls(node: ast.AST, names: dict[str, list[ast.expr]]
           ) -> Iterator[tuple[ast.Call, dict[str, list[ast.expr]]]]:
    """Every call under ``node`` with the names it can see: the module's and its
    function's own."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _calls(child, {**names, **_assigned(child.body)})
            continue
        if isinstance(child, ast.Call):
            yield child, names
        yield from _calls(child, names)


def _texts(argument: ast.expr, names: dict[str, list[ast.expr]]) -> Iterator[str]:
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        yield argument.value
    elif isinstance(argument, ast.IfExp):
        yield from _texts(argument.body, names)
        yield from _texts(argument.orelse, names)
    elif isinstance(argument, ast.Name) and argument.id in names:
        rest = {k: v for k, v in names.items() if k != argument.id}  # no loops
        for value in names[argument.id]:
            yield from _texts(value, rest)


def _has_words(text: str) -> bool:
    """Whether a template says anything besides its values ("{number} {status}" does not)."""
    return any(ch.isalpha() for ch in PLACEHOLDER.sub("", text))


def _messages() -> Iterator[tuple[str, str]]:
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, names in _calls(tree, _assigned(tree.body)):
            if _called(node) not in TRANSLATING:
                continue
            if not node.args or any(k.arg == "context" for k in node.keywords):
                continue  # a label family's word is checked by tests/test_labels.py
            for text in _texts(node.args[0], names):
                if _has_words(text):
                    yield f"{path.relative_to(APP.parent)}:{node.lineno}", text


MESSAGES = list(_messages())


def test_the_messages_are_found() -> None:
    # The reader must see the known callers, or it would pass by reading nothing.
    texts = {text for _where, text in MESSAGES}
    assert len(MESSAGES) > 300
    assert "This list cannot be sorted by '{key}'." in texts     # tr literal (paging)
    assert "{user} logged in" in texts                           # audit.say
    assert any(where.startswith("app/cli.py") for where, _text in MESSAGES)
    assert any(where.startswith("app/backups.py") for where, _text in MESSAGES)


@pytest.mark.parametrize(("where", "text"), MESSAGES, ids=[w for w, _t in MESSAGES])
def test_every_message_has_chinese(where: str, text: str) -> None:
    assert CATALOG_ZH.get(text, "").strip(), f"{where}: no Chinese for {text!r}"


def test_the_chinese_keeps_the_placeholders() -> None:
    # A placeholder renamed or dropped in the Chinese fails only when that message is shown.
    wrong = {text: chinese for text, chinese in CATALOG_ZH.items()
             if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(chinese))}
    assert not wrong
