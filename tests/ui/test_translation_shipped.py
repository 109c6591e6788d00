"""The shipped zh_CN translation covers every interface string and its .qm is current."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
TS = REPOSITORY / "resources" / "translations" / "stationcrm_zh_CN.ts"
QM = TS.with_suffix(".qm")


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed")
    return found


def test_every_interface_string_has_a_chinese_translation(tmp_path: Path) -> None:
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    sources = sorted(str(p) for p in (REPOSITORY / "app" / "ui").rglob("*.py"))
    result = subprocess.run([_tool("pyside6-lupdate"), *sources, "-ts", str(copy)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    text = copy.read_text(encoding="utf-8")
    missing = text.count('type="unfinished"')
    gone = text.count('type="vanished"') + text.count('type="obsolete"')
    assert (missing, gone) == (0, 0), (
        "run: pyside6-lupdate app/ui -ts resources/translations/stationcrm_zh_CN.ts, "
        "translate, then pyside6-lrelease it to the .qm")


def test_shipped_qm_is_built_from_the_shipped_ts(tmp_path: Path) -> None:
    built = tmp_path / QM.name
    result = subprocess.run([_tool("pyside6-lrelease"), str(TS), "-qm", str(built)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert built.read_bytes() == QM.read_bytes()
