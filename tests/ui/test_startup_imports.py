"""The login window comes before the heavy imports (issue 16, item 5).

The program is started for real in a fresh interpreter — ``app.__main__.main`` with
``--db`` — and watched from inside: which modules are loaded when the login is first
painted, and whether logging in straight away, while the rest is still loading, opens the
main window. No timings here: tools/startup_time.py measures those.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import threading
import tomllib
from enum import StrEnum
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

import app
from app import __main__ as entry
from app import cli
from app.logs import ENV_LOG_DIR
from app.settings import ConfigFileError, Settings
from app.ui.shell import app as shell_app
from app.ui.shell import startup
from app.ui.shell.pages import PAGE_MODULES, page_factories
from app.ui.tasks import TaskManager
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]

# Loaded by the time the login is painted, any of these would mean the start waits for them.
# SQLAlchemy alone takes longer than a bare login window: the login reads the enums from
# app.enums, the server's address from app.dburl and the error from app.db_errors.
NOT_AT_THE_LOGIN = ("sqlalchemy", "sqlalchemy.orm", "app.db", "app.models", "app.models.enums",
                    "alembic", "reportlab", "app.cli", "app.schema", "app.bootstrap",
                    "app.connect", "app.setup", "app.update", "app.ui.context",
                    "app.ui.errors", "app.ui.shell.later", "app.ui.shell.main_window",
                    "app.ui.shell.setup_wizard", "app.ui.shell.live", *PAGE_MODULES)
# The services the login itself uses: their errors, nothing that does work.
SERVICES_AT_THE_LOGIN = {"app.services", "app.services.errors"}

# The child: the program's own start, watched through an application-wide event filter
# (the program reuses the QApplication made here). At the login's first paint it notes the
# loaded modules; as soon as the deferred loading is seen to have begun, it logs in.
CHILD = r"""
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

seen = {}


def loaded(names):
    return sorted(name for name in names if name in sys.modules)


def log_in_when_loading_began(dialog):
    if "app.bootstrap" not in sys.modules:
        QTimer.singleShot(1, lambda: log_in_when_loading_began(dialog))
        return
    seen["later_loaded_at_click"] = "app.ui.shell.later" in sys.modules
    dialog.user_edit.setText("admin")
    dialog.password_edit.setText(PASSWORD)
    dialog.login_button.click()


def finish():
    print("RESULT " + json.dumps(seen), flush=True)
    os._exit(0)


class Watch(QObject):
    def eventFilter(self, watched, event):
        name = watched.objectName() if isinstance(watched, QObject) else ""
        if event.type() == QEvent.Type.Paint and "first_window" not in seen and (
                name in ("login_dialog", "setup_wizard")):
            seen["first_window"] = name
            seen["heavy_at_paint"] = loaded(HEAVY)
            seen["services_at_paint"] = sorted(
                m for m in sys.modules if m == "app.services" or m.startswith("app.services."))
            QTimer.singleShot(0, lambda: log_in_when_loading_began(watched))
        elif event.type() == QEvent.Type.Show and name == "main_window":
            seen["main_window"] = True
            seen["heavy_at_main_window"] = loaded(HEAVY)
            QTimer.singleShot(0, finish)
        return False


application = QApplication(sys.argv[:1])
watch = Watch()
application.installEventFilter(watch)
QTimer.singleShot(60_000, finish)  # never hang the test run
from app.__main__ import main
main(["--db", URL, "--station", "storefront", "--lang", "en"])
finish()
"""


def _database_with_an_administrator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # Through the program's entry point, which hands commands on to app.cli.
    url = f"sqlite:///{tmp_path / 'station.sqlite3'}"
    assert entry.main(["db", "upgrade", "--db", url]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    assert entry.main(["user", "add", "admin", "--role", "administrator", "--password-stdin",
                       "--db", url]) == 0
    return url


def test_the_login_is_painted_before_the_heavy_modules_load_and_logging_in_at_once_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _database_with_an_administrator(tmp_path, monkeypatch)
    code = "\n".join([f"HEAVY = {NOT_AT_THE_LOGIN!r}", f"PASSWORD = {TEST_PASSWORD!r}",
                      f"URL = {url!r}", CHILD])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "STATIONCRM_CONFIG_DIR": str(tmp_path / "config"),
           "STATIONCRM_DATA_DIR": str(tmp_path / "data"), ENV_LOG_DIR: str(tmp_path / "logs")}
    env.pop("STATIONCRM_DB_URL", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=120, check=False)
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert results, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    seen = json.loads(results[0].removeprefix("RESULT "))

    assert seen["first_window"] == "login_dialog"
    assert seen["heavy_at_paint"] == []
    assert set(seen["services_at_paint"]) <= SERVICES_AT_THE_LOGIN
    # "Log in" was pressed while the rest was still loading; the check waited for it.
    assert seen["later_loaded_at_click"] is False
    assert seen.get("main_window"), f"no main window\n{done.stderr}"
    loaded_by_then = set(seen["heavy_at_main_window"])
    assert {"sqlalchemy.orm", "app.db", "app.models", "alembic", "app.bootstrap",
            "app.ui.shell.main_window", "app.ui.shell.later", *PAGE_MODULES} <= loaded_by_then
    assert "app.cli" not in loaded_by_then  # the command line stays out of the desktop start


def test_the_installed_command_and_the_bundle_start_through_this_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["stationcrm"] == "app.__main__:main"
    assert project["gui-scripts"]["stationcrm-gui"] == "app.__main__:main"
    spec = importlib.util.spec_from_file_location("bundle_entry",
                                                  ROOT / "installer" / "entry.py")
    assert spec is not None and spec.loader is not None
    bundle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bundle)  # its __name__ is not "__main__": nothing runs
    assert bundle.main is entry.main


def test_a_command_goes_on_to_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith(f"stationcrm {app.__version__} (database schema ")
    assert entry.main(["db", "frobnicate"]) == cli.EXIT_ERROR
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_the_command_lines_own_plain_start_is_the_same_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An abbreviated option is app.cli's to read; its default command starts the client
    # through app.__main__ all the same.
    started: list[tuple[str | None, str | None]] = []

    def run_gui(settings: Settings, *, language: str | None = None) -> int:
        started.append((settings.station, language))
        return 0

    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setattr(shell_app, "run_gui", run_gui)
    assert entry.desktop_options(["--st", "repair"]) is None
    assert entry.main(["--st", "repair", "--lang", "en"]) == 0
    assert started == [("repair", "en")]


def test_the_enums_the_login_reads_without_the_orm_are_the_models_own() -> None:
    import app.enums
    import app.models.enums

    defined = {name for name, value in vars(app.enums).items()
               if isinstance(value, type) and issubclass(value, StrEnum)
               and value.__module__ == "app.enums"}
    assert {"StationCode", "Module", "CustomerStatus", "AuditAction"} <= defined
    assert set(app.models.enums.__all__) == defined
    for name in defined:
        assert getattr(app.models.enums, name) is getattr(app.enums, name)


def test_the_page_modules_loaded_early_are_the_ones_the_main_window_uses() -> None:
    assert {page.__module__ for page in page_factories().values()} == set(PAGE_MODULES)


@pytest.mark.parametrize("argv", [
    [],
    ["--db", "sqlite:///x.sqlite3"],
    ["--db=sqlite:///x.sqlite3", "--station", "repair", "--lang", "zh"],
    ["--lang", "en", "--station=storefront"],
])
def test_a_plain_start_is_read_as_the_command_line_reads_it(argv: list[str]) -> None:
    options = entry.desktop_options(argv)
    assert options is not None
    parsed = cli.build_parser().parse_args(argv)
    assert parsed.handler is cli._cmd_gui
    assert vars(options) == {"db": parsed.db, "station": parsed.station,
                             "language": parsed.language}


@pytest.mark.parametrize("argv", [
    ["db", "upgrade"], ["--db", "sqlite:///x.sqlite3", "db", "check"], ["--help"],
    ["--version"], ["--lang", "fr"], ["--db"], ["--la", "zh"], ["--station", "repair", "-h"],
])
def test_anything_but_a_plain_start_goes_to_the_command_line(argv: list[str]) -> None:
    assert entry.desktop_options(argv) is None


def test_a_plain_start_runs_the_desktop_client_with_the_station_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[str, str | None, str | None]] = []

    def run_gui(settings: Settings, *, language: str | None = None) -> int:
        started.append((settings.db_url, settings.station, language))
        return 0

    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setattr(shell_app, "run_gui", run_gui)
    assert entry.main(["--db", "sqlite:///x.sqlite3", "--station", "repair",
                       "--lang", "zh"]) == 0
    assert started == [("sqlite:///x.sqlite3", "repair", "zh")]


def test_a_damaged_station_toml_is_said_on_stderr_and_in_a_message_box(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "station.toml").write_bytes(b"db_url = \"sqlite:///x\"\n\xff\xfe\x00garbage")
    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(config))
    shown: list[tuple[ConfigFileError, str | None]] = []

    def show_startup_error(error: ConfigFileError, *, language: str | None = None) -> int:
        shown.append((error, language))
        return 2

    monkeypatch.setattr(shell_app, "show_startup_error", show_startup_error)
    monkeypatch.setattr(shell_app, "run_gui", lambda *_a, **_k: pytest.fail("started"))
    assert entry.main(["--lang", "en"]) == 2
    assert [(error.path, language) for error, language in shown] == [
        (config / "station.toml", "en")]
    assert "station.toml cannot be used" in capsys.readouterr().err


# --- DeferredModules on stand-in modules ------------------------------------------------


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Three little modules for the loader's steps; each notes the thread that imported it."""
    names = {"worker": "deferred_probe_worker", "gui": "deferred_probe_gui",
             "later": "deferred_probe_later"}
    for name in names.values():
        (tmp_path / f"{name}.py").write_text(
            "import threading\nTHREAD = threading.current_thread().name\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in names.values():
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(startup, "ON_WORKER", (names["worker"],))
    monkeypatch.setattr(startup, "ON_GUI_THREAD", (names["gui"], names["later"]))
    monkeypatch.setattr(startup, "LATER", names["later"])
    # The test run's own objects stay in the collector's sight.
    monkeypatch.setattr(startup.gc, "freeze", lambda: None)
    return names


def test_what_waits_runs_once_the_qt_free_part_loaded_on_the_worker_and_the_rest_here(
        qtbot: QtBot, stand_ins: dict[str, str]) -> None:
    tasks = TaskManager()
    try:
        deferred = startup.DeferredModules(tasks)
        called: list[str] = []
        deferred.start()
        deferred.when_loaded(lambda: called.append("after"), on_error=pytest.fail)
        assert not deferred.is_loaded and called == []  # queued, not run here and now
        with qtbot.waitSignal(deferred.loaded, timeout=10_000):
            pass
        assert called == ["after"]
        gui_thread = threading.current_thread().name
        assert sys.modules[stand_ins["worker"]].THREAD != gui_thread
        assert sys.modules[stand_ins["gui"]].THREAD == gui_thread
        assert startup.later() is sys.modules[stand_ins["later"]]
        deferred.when_loaded(lambda: called.append("now"), on_error=pytest.fail)
        assert called == ["after", "now"]  # loaded: at once
    finally:
        tasks.shutdown()


def test_without_a_start_what_is_needed_is_imported_when_asked(
        qtbot: QtBot, stand_ins: dict[str, str]) -> None:
    tasks = TaskManager()
    try:
        deferred = startup.DeferredModules(tasks)
        called: list[str] = []
        deferred.when_loaded(lambda: called.append("now"), on_error=pytest.fail)
        assert called == ["now"] and deferred.is_loaded
        assert sys.modules[stand_ins["later"]].THREAD == threading.current_thread().name
    finally:
        tasks.shutdown()


def test_a_module_that_cannot_load_is_told_to_whoever_waits(
        qtbot: QtBot, stand_ins: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "ON_WORKER", ("deferred_probe_missing",))
    tasks = TaskManager()
    try:
        deferred = startup.DeferredModules(tasks)
        errors: list[BaseException] = []
        deferred.start()
        deferred.when_loaded(lambda: pytest.fail("ran without its modules"),
                             on_error=errors.append)
        qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
        assert isinstance(errors[0], ModuleNotFoundError)
        assert not deferred.is_loaded
    finally:
        tasks.shutdown()


def test_nothing_is_called_back_for_an_owner_that_is_gone(
        qtbot: QtBot, stand_ins: dict[str, str]) -> None:
    tasks = TaskManager()
    try:
        deferred = startup.DeferredModules(tasks)
        owner = QObject()
        called: list[str] = []
        deferred.start()
        deferred.when_loaded(lambda: called.append("gone"), owner=owner, on_error=pytest.fail)
        deferred.when_loaded(lambda: called.append("here"), on_error=pytest.fail)
        shiboken6.delete(owner)
        with qtbot.waitSignal(deferred.loaded, timeout=10_000):
            pass
        assert called == ["here"]
    finally:
        tasks.shutdown()
