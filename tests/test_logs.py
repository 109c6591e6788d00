"""The station's log file: written where the crash dialog says, rotated, faulthandler on."""

from __future__ import annotations

import faulthandler
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import logs


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "logs"
    yield folder
    logs.stop_logging()


def test_messages_go_to_the_log_file_in_the_folder_named(log_folder: Path) -> None:
    path = logs.start_logging({logs.ENV_LOG_DIR: str(log_folder)})
    assert path == log_folder / "stationcrm.log" == logs.current_log_file()
    logging.getLogger("app.test").warning("打印机 %s 未找到", "HP M404")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "StationCRM" in text and "starting" in text
    assert "WARNING" in text and "app.test: 打印机 HP M404 未找到" in text
    assert faulthandler.is_enabled()
    # Started twice (log out, log in): one handler, the same file.
    assert logs.start_logging({logs.ENV_LOG_DIR: str(log_folder)}) == path
    ours = [h for h in logging.getLogger().handlers
            if getattr(h, "baseFilename", None) == str(path)]
    assert len(ours) == 1
    assert ours[0].maxBytes == logs.MAX_BYTES and ours[0].backupCount == logs.BACKUPS


def test_an_unwritable_folder_still_starts_without_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    try:
        assert logs.start_logging({logs.ENV_LOG_DIR: str(blocker / "logs")}) is None
        assert logs.current_log_file() is None
    finally:
        logs.stop_logging()


def test_a_hard_crash_is_written_to_crash_log(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    script = textwrap.dedent(f"""
        import ctypes
        from app import logs
        logs.start_logging({{logs.ENV_LOG_DIR: {str(folder)!r}}})
        ctypes.string_at(0)  # a segmentation fault, as a crashing Qt would cause
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                            check=False)
    assert result.returncode != 0
    crash = (folder / "crash.log").read_text(encoding="utf-8")
    assert "Fatal Python error" in crash and "Segmentation fault" in crash
