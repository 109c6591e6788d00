"""The database worker: work off the GUI thread, results on it, errors as people read them."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.db import DatabaseUnavailable
from app.services.errors import PermissionDenied
from app.ui.errors import describe_error
from app.ui.tasks import TaskManager


def _open_message_box() -> QMessageBox:
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def test_work_runs_on_the_worker_and_the_result_arrives_on_the_gui_thread(
    qtbot: QtBot, tasks: TaskManager,
) -> None:
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.current_thread()
        return 42

    def done(value: int) -> None:
        seen["callback"] = threading.current_thread()
        seen["value"] = value

    with qtbot.waitSignal(tasks.busy_changed, check_params_cb=lambda busy: not busy):
        tasks.run_in_background(work, on_done=done)
        assert tasks.is_busy
    assert not tasks.is_busy
    assert seen["value"] == 42
    assert seen["worker"] is not threading.main_thread()
    assert seen["callback"] is threading.main_thread()


def test_calls_run_one_after_another(qtbot: QtBot, tasks: TaskManager) -> None:
    order: list[int] = []
    for i in range(5):
        tasks.run_in_background(lambda i=i: i, on_done=order.append)
    qtbot.waitUntil(lambda: len(order) == 5)
    assert order == [0, 1, 2, 3, 4]


def test_a_service_error_is_shown_as_its_message(qtbot: QtBot, tasks: TaskManager) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()

    def refuse() -> None:
        raise PermissionDenied("You may not export in customers.")

    tasks.run_in_background(refuse, owner=parent)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    box = _open_message_box()
    assert box.windowTitle() == "Not permitted"
    assert box.text() == "You may not export in customers."
    assert box.detailedText() == ""
    box.close()


def test_an_unexpected_error_is_generic_with_the_details_collapsed(
    qtbot: QtBot, tasks: TaskManager,
) -> None:
    def broken() -> None:
        raise KeyError("customer_class")

    tasks.run_in_background(broken)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    box = _open_message_box()
    assert box.windowTitle() == "Unexpected error"
    assert "Traceback" not in box.text()
    assert "Something went wrong" in box.text()
    assert "KeyError: 'customer_class'" in box.detailedText()
    box.close()  # the close box (and Esc) mean OK, although it has a second button
    assert not box.isVisible()


def test_database_unavailable_is_announced_and_described(
    qtbot: QtBot, tasks: TaskManager,
) -> None:
    error = DatabaseUnavailable(topic="unreachable", server="db-server:5432", detail="refused")
    received: list[BaseException] = []

    def fail() -> None:
        raise error

    with qtbot.waitSignal(tasks.database_unavailable) as announced:
        tasks.run_in_background(fail, on_error=received.append)
    assert announced.args == [error]
    qtbot.waitUntil(lambda: received == [error])
    message = describe_error(error)
    assert message.kind == "database"
    assert message.text.startswith("Cannot reach the database server db-server:5432.")


def test_no_callback_for_a_widget_that_was_closed_meanwhile(
    qtbot: QtBot, tasks: TaskManager,
) -> None:
    owner = QWidget()
    called: list[object] = []
    gate = threading.Event()
    tasks.run_in_background(lambda: gate.wait(5), on_done=called.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    gate.set()
    assert tasks.wait_until_idle()
    assert called == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_objects_handed_to_a_task_are_released_on_the_gui_thread(
    qtbot: QtBot, tasks: TaskManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Qt object whose last reference a task held must not be destroyed on the worker.

    The worker is held back after handing over its result until the GUI thread has
    delivered it, so whatever the worker still references is released last, there.
    """
    import time

    from PySide6.QtCore import QObject

    delivered = threading.Event()
    tasks.busy_changed.connect(lambda busy: None if busy else delivered.set())
    post = tasks._post

    def post_then_linger(*args: object) -> None:
        post(*args)
        delivered.wait(5)
        time.sleep(0.2)  # let the GUI thread finish delivering and drop its references

    monkeypatch.setattr(tasks, "_post", post_then_linger)

    destroyed_on: list[str] = []
    probe = QObject()
    probe.destroyed.connect(lambda *_: destroyed_on.append(threading.current_thread().name))
    returned = QObject()
    returned.destroyed.connect(lambda *_: destroyed_on.append(threading.current_thread().name))

    def slow(keep: QObject = returned) -> QObject:
        time.sleep(0.1)
        return keep

    tasks.run_in_background(slow, on_done=lambda result, keep=probe: None, owner=probe)
    del probe, returned, slow
    qtbot.waitUntil(delivered.is_set, timeout=5000)
    qtbot.waitUntil(lambda: len(destroyed_on) == 2, timeout=3000)
    assert destroyed_on == [threading.main_thread().name] * 2


def test_the_crash_dialog_names_the_log_file_and_copies_the_details(
    qtbot: QtBot, tasks: TaskManager, tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QPushButton

    from app import logs

    log_file = logs.start_logging({logs.ENV_LOG_DIR: str(tmp_path / "logs")})
    try:
        def broken() -> None:
            raise KeyError("customer_class")

        tasks.run_in_background(broken)
        qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()))
        box = _open_message_box()
        assert f"written to the log file {log_file}" in box.text()
        copy = box.findChild(QPushButton, "copy_details_button")
        assert copy is not None
        copy.click()
        assert box.isVisible()  # copying does not close it
        copied = QApplication.clipboard().text()
        assert "KeyError: 'customer_class'" in copied and str(log_file) in copied
        assert box.informativeText() == "Copied to the clipboard."
        box.close()
        # The log file holds the traceback too.
        for handler in logging.getLogger().handlers:
            handler.flush()
        assert "KeyError: 'customer_class'" in log_file.read_text(encoding="utf-8")
    finally:
        logs.stop_logging()


def test_a_read_given_a_time_limit_is_given_up_and_the_next_call_runs(
    qtbot: QtBot, tasks: TaskManager,
) -> None:
    from app.saving import Abandoned

    release = threading.Event()
    outcome: list[object] = []
    tasks.run_in_background(lambda: release.wait(10), on_done=outcome.append,
                            on_error=outcome.append, give_up_after_ms=300)
    qtbot.waitUntil(lambda: bool(outcome), timeout=3000)
    assert isinstance(outcome[0], Abandoned)
    after: list[object] = []
    tasks.run_in_background(lambda: "next", on_done=after.append)
    qtbot.waitUntil(lambda: after == ["next"], timeout=2000)
    release.set()
