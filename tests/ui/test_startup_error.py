"""A station.toml the program cannot use is shown in a dialog when the windowed program starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.settings import ConfigFileError, read_station_config
from app.ui.shell import app as ui_app


def _damaged(tmp_path: Path) -> ConfigFileError:
    path = tmp_path / "station.toml"
    path.write_text('db_url = "sqlite:///x\nstation = 3\n', encoding="utf-8")
    with pytest.raises(ConfigFileError) as raised:
        read_station_config(path)
    return raised.value


def test_the_dialog_names_the_file_and_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    error = _damaged(tmp_path)
    box = ui_app.startup_error_box(error, "en")
    qtbot.addWidget(box)
    assert box.windowTitle() == "StationCRM cannot start"
    assert str(tmp_path / "station.toml") in box.text()
    assert "not valid TOML" in box.text() and "Fix or delete the file" in box.text()
    assert box.icon() == QMessageBox.Icon.Critical
    chinese = ui_app.startup_error_box(error, "zh")
    qtbot.addWidget(chinese)
    assert "无法使用本机设置文件" in chinese.text() and "有效的 TOML" in chinese.text()


def test_showing_it_runs_until_the_dialog_is_closed(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = _damaged(tmp_path)
    seen: list[str] = []

    def exec_(_loop: QEventLoop) -> int:  # the clerk reads the message and closes it
        box = next(w for w in QApplication.topLevelWidgets()
                   if w.objectName() == "startup_error" and w.isVisible())
        seen.append(box.text())
        box.close()
        return 0

    monkeypatch.setattr(QEventLoop, "exec", exec_)
    monkeypatch.setattr(ui_app, "install_translator", lambda _app, language: language or "en")
    assert ui_app.show_startup_error(error, language="en") == 2
    assert seen and "station.toml" in seen[0]
