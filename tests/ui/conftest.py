"""Fixtures for the desktop client: a worker, station settings in a temporary folder, contexts."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from sqlalchemy import Engine

from app import i18n
from app.models.enums import CustomerClass, CustomerSource, CustomerStatus
from app.services.customers import ContactDraft, CustomerDetail, CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.settings import Settings
from app.ui.context import AppContext, Database, load_ui_permissions
from app.ui.fonts import register_cjk_font
from app.ui.gcguard import GuiThreadCollector
from app.ui.i18n import install_translator
from app.ui.tasks import TaskManager

SHOTS_DIR = Path("/tmp/shots")
_HERE = Path(__file__).parent

# WORKAROUND: Qt's offscreen platform plugin does not implement propagateSizeHints() and
# warns whenever a shown top-level window's minimum size changes, which every dialog with
# a layout does. It is the test platform's limitation, not ours (qutebrowser ignores it the
# same way); only this exact message is ignored, every other Qt warning still fails.
OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Let pytest-qt pass over a registered widget that is gone by the time it closes it.

    A dialog shown with ``keep_open`` deletes itself when it closes; if the test closed
    it, Qt may delete it in the events pytest-qt processes just before closing what
    ``qtbot.addWidget`` registered, and closing a deleted widget raises. pytest-qt reads
    each widget through a weak reference when it closes it: this one answers None for a
    widget whose C++ side is gone, at that moment (nothing is deleted here)."""
    widgets = getattr(item, "qt_widgets", None)
    if widgets:
        item.qt_widgets = [(_alive(ref), close) for ref, close in widgets]  # type: ignore[attr-defined]
    yield


def _alive(ref: Callable[[], QWidget | None]) -> Callable[[], QWidget | None]:
    def widget() -> QWidget | None:
        found = ref()
        return found if found is not None and shiboken6.isValid(found) else None
    return widget


@pytest.fixture(scope="session", autouse=True)
def gui_thread_gc(qapp: QApplication) -> Iterator[None]:
    """As in the program: cycles are collected on the GUI thread, never on the worker."""
    collector = GuiThreadCollector(qapp)
    collector.start()
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def no_key_held(qapp: QApplication) -> None:
    """Each test starts with no modifier key held. QTest's click of Ctrl+E leaves Qt
    believing Ctrl is still down (the Ctrl release it sends carries Ctrl), so a later
    test's ``selectRow`` toggled the row as a Ctrl+click would instead of selecting it: the
    confirmation queue's test failed after the statistics window's. Any key released with
    no modifier sets the held modifiers back to none."""
    if QGuiApplication.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        QTest.keyRelease(QWidget(), Qt.Key.Key_Control)
    assert QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier


@pytest.fixture(scope="session", autouse=True)
def cjk_font(qapp: QApplication) -> list[str]:
    """Register the shipped font once, as run_gui does at start."""
    return register_cjk_font(qapp)


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest, qapp: QApplication,
             uow: UnitOfWork) -> Iterator[str]:
    """The interface and the services' messages in English, then in Chinese; English again
    afterwards. Asks for ``uow`` so that it runs after it (which resets the language).
    ``STATIONCRM_QM_DIR`` points at freshly built catalogs instead of the shipped ones."""
    qm_dir = os.environ.get("STATIONCRM_QM_DIR")
    resolved = install_translator(qapp, request.param,
                                  directory=Path(qm_dir) if qm_dir else None)
    i18n.set_language(resolved)
    yield resolved
    install_translator(qapp, "en")
    i18n.set_language("en")


@pytest.fixture
def tasks(uow: UnitOfWork, qtbot: object) -> Iterator[TaskManager]:
    """The database worker; it is stopped before the test database is emptied."""
    manager = TaskManager()
    yield manager
    manager.shutdown()


@pytest.fixture
def station_settings(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings of a station whose station.toml and ui.ini live in a temporary folder."""
    config = tmp_path / "config"
    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(config))
    return Settings(
        db_url=db_url, db_url_source="config", station=None, language="en",
        last_username=None, data_dir=tmp_path / "data", config_dir=config,
    )


@pytest.fixture
def database(engine: Engine, db_url: str) -> Database:
    """The test database as the client sees it (the session engine, not disposed here)."""
    return Database(db_url, engine, owns_engine=False)


@pytest.fixture
def make_context(
    uow: UnitOfWork, station_settings: Settings, database: Database, tasks: TaskManager
) -> Callable[..., AppContext]:
    """The context a window gets after ``actor`` logged in at ``station``."""

    def make(actor: Actor, station: str | None = None, language: str = "en") -> AppContext:
        if station is not None:
            actor = dataclasses.replace(actor, station=station)
        return AppContext(
            settings=station_settings, database=database, actor=actor,
            permissions=load_ui_permissions(uow, actor), tasks=tasks, language=language,
        )

    return make


@pytest.fixture
def add_customer(uow: UnitOfWork) -> Callable[..., CustomerDetail]:
    """Create a customer through the service, as ``actor``."""

    def add(actor: Actor, name: str, *, phone: str | None = None,
            customer_class: CustomerClass = CustomerClass.C,
            source: CustomerSource = CustomerSource.WALK_IN,
            status: CustomerStatus = CustomerStatus.ACTIVE,
            contact: str | None = None) -> CustomerDetail:
        contacts = (ContactDraft(name=contact, is_primary=True),) if contact else ()
        return create_customer(uow=uow, actor=actor, draft=CustomerDraft(
            name=name, phone=phone, customer_class=customer_class, source=source,
            status=status, contacts=contacts))

    return add


def clipped_texts(root: QWidget) -> list[str]:
    """Visible labels and buttons narrower than their text needs (word-wrapped ones excepted)."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and not widget.wordWrap() and widget.text():
            if widget.width() < widget.minimumSizeHint().width():
                problems.append(f"label {widget.objectName()!r}: {widget.text()!r}")
        elif isinstance(widget, QAbstractButton) and widget.text():
            if widget.width() < widget.minimumSizeHint().width():
                problems.append(f"button {widget.objectName()!r}: {widget.text()!r}")
    return problems
