"""The interface translation: a zh_CN catalog built with lrelease turns the labels Chinese."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import i18n
from app.models.enums import Module
from app.services.permissions import Actor
from app.ui import labels
from app.ui.context import AppContext
from app.ui.i18n import install_translator, normalise_language
from app.ui.shell.main_window import MainWindow

CATALOG = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context><name>Modules</name>
  <message><source>Customers</source><translation>客户</translation></message>
</context>
<context><name>MainWindow</name>
  <message><source>&amp;File</source><translation>文件(&amp;F)</translation></message>
  <message><source>Station: {station}</source><translation>站点：{station}</translation></message>
</context>
<context><name>Stations</name>
  <message><source>Storefront / dealers</source><translation>门市/经销商</translation></message>
</context>
</TS>
"""


def _lrelease() -> str | None:
    found = shutil.which("pyside6-lrelease") or Path(sys.executable).with_name(
        "pyside6-lrelease")
    return str(found) if found and Path(found).exists() else None


@pytest.fixture
def zh_catalog(tmp_path: Path) -> Path:
    tool = _lrelease()
    if tool is None:
        pytest.skip("pyside6-lrelease is not installed")
    source = tmp_path / "stationcrm_zh_CN.ts"
    source.write_text(CATALOG, encoding="utf-8")
    subprocess.run([tool, str(source), "-qm", str(tmp_path / "stationcrm_zh_CN.qm")],
                   check=True, capture_output=True)
    return tmp_path


@pytest.fixture
def restore_english(qapp: QApplication) -> Iterator[None]:
    yield
    install_translator(qapp, "en")
    i18n.set_language("en")


@pytest.mark.parametrize(("asked", "expected"), [
    ("zh", "zh"), ("zh_CN", "zh"), ("zh-CN", "zh"), ("ZH_cn.UTF-8", "zh"),
    ("en", "en"), ("en_US", "en"), ("de", "en"),
])
def test_language_names(asked: str, expected: str) -> None:
    assert normalise_language(asked) == expected


def test_chinese_catalog_translates_labels_and_windows(
    qtbot: QtBot, qapp: QApplication, zh_catalog: Path, restore_english: None,
    make_context: Callable[..., AppContext], clerk: Actor,
) -> None:
    assert install_translator(qapp, "zh", directory=zh_catalog) == "zh"
    assert labels.module_label(Module.CUSTOMERS) == "客户"
    window = MainWindow(make_context(clerk, "storefront", language="zh"), factories={})
    qtbot.addWidget(window)
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    assert window.station_label.text() == "站点：门市/经销商"
    assert window.navigator.item(0).text() == "客户"

    assert install_translator(qapp, "en", directory=zh_catalog) == "en"
    assert labels.module_label(Module.CUSTOMERS) == "Customers"
