"""The set-up wizard, driven as a person would: this PC only, or a PostgreSQL server whose
empty database it creates; bad input keeps what was typed; a program too old for its
database offers the newer installer."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QRadioButton, QWidget, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, make_url, select, text

import app
from app import schema, update
from app.db import make_engine
from app.models import AppSetting
from app.models.enums import StationCode
from app.services.company import COMPANY_SETTING_KEY
from app.services.reference import ensure_reference_data
from app.services.uow import UnitOfWork
from app.services.users import add_user
from app.settings import Settings, default_db_url, read_station_config
from app.ui import labels
from app.ui.shell.app import GuiSession
from app.ui.shell.login import LoginDialog
from app.ui.shell.setup_wizard import SetupWizard, needs_setup
from app.ui.tasks import TaskManager
from tests.ui.conftest import SHOTS_DIR, clipped_texts

PG_SERVER = os.environ.get("STATIONCRM_TEST_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
ADMIN_PASSWORD = "Xinrui-2026-crm"


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def worker(qtbot: QtBot) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.shutdown()


@pytest.fixture
def first_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A PC where StationCRM was never started: no station.toml, no --db, no variable."""
    config = tmp_path / "config"
    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(config))
    monkeypatch.delenv("STATIONCRM_DB_URL", raising=False)
    data = tmp_path / "data"
    return Settings(db_url=default_db_url(data), db_url_source="default", station=None,
                    language="en", last_username=None, data_dir=data, config_dir=config)


def _pg_admin() -> Engine:
    engine = make_engine(make_url(PG_SERVER).set(database="postgres"))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001
        engine.dispose()
        pytest.skip(f"no PostgreSQL server at {PG_SERVER}: {error}")
    return engine


class PgCluster:
    """Databases and roles made for one test, dropped after it."""

    def __init__(self, admin: Engine, tag: str) -> None:
        self.admin = admin
        self.tag = tag
        self.databases: list[str] = []
        self.roles: list[str] = []

    def database(self, suffix: str) -> str:
        name = f"scrm_wiz_{self.tag}_{suffix}"
        with self.admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.databases.append(name)
        return name

    def role(self, suffix: str) -> str:
        name = f"scrm_wiz_{self.tag}_{suffix}"
        with self.admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        self.roles.append(name)
        return name

    def drop(self) -> None:
        with self.admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in self.databases:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            made = conn.execute(text(
                "SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p)"),
                {"p": f"scrm_wiz_{self.tag}_"}).scalars().all()
            for name in {*made, *self.roles}:
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        self.admin.dispose()


@pytest.fixture
def pg(request: pytest.FixtureRequest) -> Iterator[PgCluster]:
    cluster = PgCluster(_pg_admin(), f"{os.getpid()}_{abs(hash(request.node.name)) % 10_000}")
    yield cluster
    cluster.drop()


# --- driving the wizard ---------------------------------------------------------------------


def _click(qtbot: QtBot, widget: QWidget) -> None:
    if isinstance(widget, QRadioButton):  # on its circle, not in the empty room after the text
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton,
                         pos=QPoint(8, widget.height() // 2))
        assert widget.isChecked()
        return
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _next(qtbot: QtBot, wizard: QWizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isVisible() and button.isEnabled()
    _click(qtbot, button)


def _type(qtbot: QtBot, edit: QWidget, value: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if value.isascii():
        qtbot.keyClicks(edit, value)
    else:  # Chinese arrives as an input method commits it (QTest types ASCII only)
        event = QInputMethodEvent()
        event.setCommitString(value)
        QApplication.sendEvent(edit, event)


def _choose(qtbot: QtBot, combo: QComboBox, text_: str) -> None:
    """Pick an item with the keyboard, as someone tabbing through the form would."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text_:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text_


def _fill_server(qtbot: QtBot, wizard: SetupWizard, *, kind: str, host: str,
                 database: str, port: int | None = None, user: str = "",
                 password: str = "", driver: str | None = None,
                 sql_login: bool = False) -> None:
    page = wizard.server_page
    assert wizard.currentPage() is page
    _choose(qtbot, page.kind_combo, kind)
    _type(qtbot, page.host_edit, host)
    if port is not None:
        _type(qtbot, page.port_spin, str(port))
    _type(qtbot, page.database_edit, database)
    if kind == "SQL Server":
        _click(qtbot, page.sql_login_radio if sql_login else page.windows_radio)
        if driver is not None:
            _type(qtbot, page.driver_combo.lineEdit(), driver)
    if page.uses_login():
        _type(qtbot, page.user_edit, user)
        _type(qtbot, page.password_edit, password)


def _tested(qtbot: QtBot, wizard: SetupWizard, timeout: int = 20_000) -> str:
    """Wait for the connection test to finish; the message shown."""
    page = wizard.check_page
    qtbot.waitUntil(lambda: page.message_label.property("kind") in ("ok", "error")
                    or page.create_button.isVisible(), timeout=timeout)
    return page.message_label.text()


def _shot(widget: QWidget, name: str) -> None:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / name))


# --- this PC only ---------------------------------------------------------------------------


def test_first_start_on_this_pc_only_writes_station_toml_and_opens_the_login(
        qtbot: QtBot, first_start: Settings, worker: TaskManager) -> None:
    assert needs_setup(first_start)
    session = GuiSession(first_start, tasks=worker)
    session.start()
    wizard = session.setup_wizard
    assert wizard is not None and session.login_dialog is None
    qtbot.addWidget(wizard)
    qtbot.waitExposed(wizard)
    _click(qtbot, wizard.where_page.this_pc_radio)
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.station_page
    assert str(first_start.data_dir) in wizard.station_page.summary_label.text()
    _choose(qtbot, wizard.station_page.station_combo,
            labels.station_label(StationCode.REPAIR))
    _click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))

    config = read_station_config(first_start.config_file)
    assert config == {"station": "repair"}  # the embedded file is the default: no db_url
    dialog = session.login_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not wizard.isVisible()
    assert dialog.server_url == default_db_url(first_start.data_dir)
    assert str(first_start.data_dir) in dialog.server_label.text()
    assert dialog.station_combo.currentData() == "repair"
    # The next start goes straight to the login.
    assert not needs_setup(dataclasses.replace(first_start, station="repair"))


def test_cancel_at_the_first_start_quits(qtbot: QtBot, first_start: Settings,
                                         worker: TaskManager) -> None:
    session = GuiSession(first_start, tasks=worker)
    session.start()
    wizard = session.setup_wizard
    assert wizard is not None
    qtbot.addWidget(wizard)
    with qtbot.waitSignal(session.finished, timeout=2000) as quit_:
        _click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    assert quit_.args == [0]
    assert not first_start.config_file.exists()


# --- a PostgreSQL server with an empty database ---------------------------------------------


def test_company_server_with_an_empty_database_is_created_and_its_administrator_logs_in(
        qtbot: QtBot, first_start: Settings, worker: TaskManager, pg: PgCluster) -> None:
    database = pg.database("new")
    admin_name = f"scrm_wiz_{pg.tag}_admin"
    server = make_url(PG_SERVER)
    session = GuiSession(first_start, tasks=worker)
    session.start()
    wizard = session.setup_wizard
    assert wizard is not None
    qtbot.addWidget(wizard)
    assert wizard.where_page.server_radio.isChecked()  # the usual choice in an office
    _next(qtbot, wizard)
    _fill_server(qtbot, wizard, kind="PostgreSQL", host=server.host or "127.0.0.1",
                 database=database, user=server.username or "postgres",
                 password=server.password or "the-owner-password")
    assert wizard.server_page.port_spin.value() == 5432  # followed the server type
    port = server.port or 5432
    if port != 5432:
        _type(qtbot, wizard.server_page.port_spin, str(port))
    _next(qtbot, wizard)

    message = _tested(qtbot, wizard)
    assert "The database is empty." in message
    check = wizard.check_page
    assert check.create_button.isVisible()
    _click(qtbot, check.create_button)

    create = wizard.create_page
    assert wizard.currentPage() is create
    _type(qtbot, create.company_edit, "北京鑫锐科技有限公司")
    _type(qtbot, create.username_edit, admin_name)
    _type(qtbot, create.display_edit, "系统管理员")
    _type(qtbot, create.password_edit, ADMIN_PASSWORD)
    _type(qtbot, create.repeat_edit, ADMIN_PASSWORD[:-1])
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.text() == "Create the database"
    _click(qtbot, commit)
    assert create.message_label.text() == "The two passwords differ."
    assert create.company_edit.text() == "北京鑫锐科技有限公司"  # kept
    _type(qtbot, create.repeat_edit, ADMIN_PASSWORD)
    _click(qtbot, commit)
    assert create.progress_bar.isVisible()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.station_page, timeout=90_000)
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()

    # The database: schema at head with its record, the company, security, the admin login.
    owner = make_engine(server.set(database=database))
    try:
        assert schema.current_revision(owner) == schema.head_revision()
        with owner.connect() as conn:
            company = conn.execute(select(AppSetting.value).where(
                AppSetting.key == COMPANY_SETTING_KEY)).scalar_one()
            assert json.loads(company)["name"] == "北京鑫锐科技有限公司"
            assert update.read_record(conn) is not None
            assert conn.execute(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"),
                                 {"n": admin_name}).scalar_one() is True
            assert conn.execute(text(
                "SELECT count(*) FROM pg_roles WHERE rolname = :g"),
                {"g": f"{database}_administrator"}).scalar_one() == 1
    finally:
        owner.dispose()

    _choose(qtbot, wizard.station_page.station_combo,
            labels.station_label(StationCode.MANAGEMENT))
    _click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    stored = read_station_config(first_start.config_file)
    where = server.host if port == 5432 else f"{server.host}:{port}"
    assert stored["db_url"] == f"postgresql://{where}/{database}"  # no user, no password
    assert stored["station"] == "management"

    dialog = session.login_dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert f"/{database}" in dialog.server_label.text()
    _type(qtbot, dialog.user_edit, admin_name)
    _type(qtbot, dialog.password_edit, ADMIN_PASSWORD)
    _click(qtbot, dialog.login_button)
    qtbot.waitUntil(lambda: session.main_window is not None
                    and session.main_window.isVisible(), timeout=30_000)
    window = session.main_window
    assert window is not None
    qtbot.addWidget(window)
    with window.ctx.database.engine.connect() as conn:  # the admin's own database login
        assert conn.execute(text("SELECT current_user")).scalar_one() == admin_name
    assert window.ctx.actor.role_code == "administrator"
    window.ctx.database.close()


# --- bad input ------------------------------------------------------------------------------


def test_unreachable_host_wrong_database_and_wrong_login_each_say_so_and_keep_the_input(
        qtbot: QtBot, first_start: Settings, worker: TaskManager, pg: PgCluster) -> None:
    server = make_url(PG_SERVER)
    host = server.host or "127.0.0.1"
    wizard = SetupWizard(first_start, worker)
    qtbot.addWidget(wizard)
    wizard.show()
    _next(qtbot, wizard)
    # A closed port: nothing listens there.
    _fill_server(qtbot, wizard, kind="PostgreSQL", host=host, port=1, database="stationcrm",
                 user="postgres", password="secret-typed")
    _next(qtbot, wizard)
    message = _tested(qtbot, wizard)
    assert message.startswith(f"Cannot reach the database server {host}:1.")
    assert "secret-typed" not in message
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()

    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    page = wizard.server_page
    assert (page.host_edit.text(), page.port_spin.value(), page.database_edit.text(),
            page.user_edit.text(), page.password_edit.text()) == (
        host, 1, "stationcrm", "postgres", "secret-typed")
    # The right port, a database that is not there.
    _type(qtbot, page.port_spin, str(server.port or 5432))
    _type(qtbot, page.database_edit, f"scrm_wiz_{pg.tag}_nosuch")
    _next(qtbot, wizard)
    message = _tested(qtbot, wizard)
    assert f'has no database "scrm_wiz_{pg.tag}_nosuch"' in message

    # A database that is there, and a login the server does not know.
    database = pg.database("there")
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    _type(qtbot, page.database_edit, database)
    _type(qtbot, page.user_edit, f"scrm_wiz_{pg.tag}_nobody")
    _next(qtbot, wizard)
    message = _tested(qtbot, wizard)
    assert "refused the login" in message
    assert wizard.check_page.test_button.isEnabled()
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    assert page.user_edit.text() == f"scrm_wiz_{pg.tag}_nobody"


def test_a_wrong_password_says_so_and_keeps_it_for_correcting(
        qtbot: QtBot, first_start: Settings, worker: TaskManager) -> None:
    raw = os.environ.get("STATIONCRM_TEST_SCRAM_URL")
    if not raw:
        pytest.skip("needs a cluster that checks passwords: set STATIONCRM_TEST_SCRAM_URL"
                    " (.ci/scram-cluster prints it; CI does)")
    server = make_url(raw)
    wizard = SetupWizard(first_start, worker)
    qtbot.addWidget(wizard)
    wizard.show()
    _next(qtbot, wizard)
    _fill_server(qtbot, wizard, kind="PostgreSQL", host=server.host or "127.0.0.1",
                 port=server.port or 5432, database=server.database or "postgres",
                 user=server.username or "postgres", password="not-the-password")
    _next(qtbot, wizard)
    message = _tested(qtbot, wizard)
    assert message.startswith(f"The database server {server.host}:{server.port} refused the"
                              f' login for user "{server.username}".')
    assert "not-the-password" not in message
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    page = wizard.server_page
    assert page.password_edit.text() == "not-the-password"  # kept, to correct
    _type(qtbot, page.password_edit, server.password or "")
    _next(qtbot, wizard)
    _tested(qtbot, wizard)
    assert wizard.check_page.create_button.isVisible()  # the superuser may create it


def test_sql_server_with_an_odbc_driver_that_is_not_installed(
        qtbot: QtBot, first_start: Settings, worker: TaskManager) -> None:
    pytest.importorskip("pyodbc")
    wizard = SetupWizard(first_start, worker)
    qtbot.addWidget(wizard)
    wizard.show()
    _next(qtbot, wizard)
    page = wizard.server_page
    assert page.kind() == "mssql" and page.port_spin.value() == 1433
    assert page.driver_combo.currentText() == "ODBC Driver 18 for SQL Server"
    _fill_server(qtbot, wizard, kind="SQL Server", host="127.0.0.1", database="stationcrm",
                 driver="No Such ODBC Driver 99")
    assert not page.user_edit.isVisible()  # Windows login: nothing to type
    _next(qtbot, wizard)
    message = _tested(qtbot, wizard)
    assert message.startswith('The ODBC driver "No Such ODBC Driver 99" is not installed')
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    assert page.driver_combo.currentText() == "No Such ODBC Driver 99"


def test_an_empty_database_this_login_may_not_create_names_the_administrators_commands(
        qtbot: QtBot, first_start: Settings, worker: TaskManager, pg: PgCluster) -> None:
    database = pg.database("locked")
    clerk = pg.role("clerk")  # may connect; may not create tables or roles
    server = make_url(PG_SERVER)
    wizard = SetupWizard(first_start, worker)
    qtbot.addWidget(wizard)
    wizard.show()
    _next(qtbot, wizard)
    _fill_server(qtbot, wizard, kind="PostgreSQL", host=server.host or "127.0.0.1",
                 database=database, user=clerk, password="whatever")
    _next(qtbot, wizard)
    message = _tested(qtbot, wizard)
    assert "is empty, and this login may not create StationCRM in it" in message
    commands = wizard.check_page.commands_edit
    assert commands.isVisible()
    assert (f'stationcrm db upgrade --db "postgresql://OWNER:PASSWORD@{server.host}/'
            f'{database}"') in commands.toPlainText()
    assert "stationcrm user add admin --role administrator" in commands.toPlainText()
    assert not wizard.check_page.create_button.isVisible()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    with make_engine(server.set(database=database)).connect() as conn:
        assert conn.execute(text(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar_one() == 0


def test_change_server_in_the_login_dialog_opens_the_wizard_with_the_current_server(
        qtbot: QtBot, first_start: Settings, worker: TaskManager) -> None:
    settings = dataclasses.replace(
        first_start, db_url="postgresql://crm-server:5433/stationcrm", db_url_source="config")
    dialog = LoginDialog(settings, worker)
    qtbot.addWidget(dialog)
    dialog.show()
    _click(qtbot, dialog.change_server_button)
    wizard = dialog.setup_wizard
    assert wizard is not None and wizard.isVisible()
    assert wizard.where_page.server_radio.isChecked()
    fields = wizard.server_page.fields()
    assert (fields.kind, fields.host, fields.port, fields.database) == (
        "postgresql", "crm-server", 5433, "stationcrm")
    # Advanced: a raw address, as before the wizard.
    _click(qtbot, wizard.where_page.advanced_radio)
    _type(qtbot, wizard.where_page.address_edit, "sqlite:////srv/crm/shared.sqlite3")
    assert wizard.station_address() == "sqlite:////srv/crm/shared.sqlite3"
    _click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
    assert dialog.server_url == settings.db_url  # cancelled: unchanged


def test_advanced_address_of_a_ready_database_goes_straight_to_the_station(
        qtbot: QtBot, first_start: Settings, worker: TaskManager, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    uow = UnitOfWork.for_engine(engine)
    ensure_reference_data(uow)
    add_user(uow=uow, actor=None, username="admin", password="Xinrui-admin-1",
             role_code="administrator", department_code="management")
    engine.dispose()
    wizard = SetupWizard(first_start, worker)
    qtbot.addWidget(wizard)
    wizard.show()
    _click(qtbot, wizard.where_page.advanced_radio)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # nothing typed
    _type(qtbot, wizard.where_page.address_edit, url)
    qtbot.keyClick(wizard.where_page.address_edit, Qt.Key.Key_Return)  # Enter is Next
    assert wizard.currentPage() is wizard.check_page
    message = _tested(qtbot, wizard)
    assert message.startswith("Connected. The database is ready")
    qtbot.keyClick(wizard.check_page, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.station_page
    _click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert read_station_config(first_start.config_file) == {"db_url": url,
                                                             "station": "storefront"}


# --- a program too old for its database -----------------------------------------------------


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        self.opened.append(url)


def test_login_on_a_newer_schema_names_the_version_and_offers_the_installer(
        qtbot: QtBot, first_start: Settings, worker: TaskManager, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    uow = UnitOfWork.for_engine(engine)
    ensure_reference_data(uow)
    add_user(uow=uow, actor=None, username="clerk1", password="Clerk-pass-1",
             role_code="counter_clerk", department_code="storefront")
    folder = tmp_path / "updates"
    folder.mkdir()
    (folder / "StationCRM-0.2.0-setup.exe").write_bytes(b"MZ older")
    installer = folder / "StationCRM-9.1.0-setup.exe"
    installer.write_bytes(b"MZ newer")
    update.set_update_location(engine, str(folder))
    update.record_schema(engine)
    # What a newer program's `db upgrade` leaves behind.
    record = update.SchemaRecord(revision="ffff00001111", min_client="9.1.0",
                                 made_by="9.1.0")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff00001111'"))
        conn.execute(text("UPDATE app_settings SET value = :v WHERE key = :k"),
                     {"v": record.to_json(), "k": update.SCHEMA_SETTING_KEY})
    engine.dispose()

    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open_url")
    try:
        settings = dataclasses.replace(first_start, db_url=url, db_url_source="config")
        dialog = LoginDialog(settings, worker)
        qtbot.addWidget(dialog)
        dialog.show()
        _type(qtbot, dialog.user_edit, "clerk1")
        _type(qtbot, dialog.password_edit, "Clerk-pass-1")
        _click(qtbot, dialog.login_button)
        qtbot.waitUntil(dialog.install_button.isVisible, timeout=15_000)
        message = dialog.message_label.text()
        assert "StationCRM 9.1.0" in message and f"version {app.__version__}" in message
        assert str(installer) in message
        _shot(dialog, "login_too_old_en.png")
        _click(qtbot, dialog.install_button)
        assert [u.toLocalFile() for u in catcher.opened] == [str(installer)]
    finally:
        QDesktopServices.unsetUrlHandler("file")


# --- how it looks ---------------------------------------------------------------------------


def test_every_page_renders_unclipped(
        qtbot: QtBot, first_start: Settings, worker: TaskManager, pg: PgCluster,
        language: str) -> None:
    server = make_url(PG_SERVER)
    empty = pg.database("empty")
    clerk = pg.role("clerk")
    wizard = SetupWizard(dataclasses.replace(first_start, language=language), worker)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)

    def look(name: str) -> None:
        assert clipped_texts(wizard) == [], name
        _shot(wizard, f"setup_{name}_{language}.png")

    look("1_where")
    _next(qtbot, wizard)
    _click(qtbot, wizard.server_page.sql_login_radio)
    look("2_server_sql_server")
    _fill_server(qtbot, wizard, kind="PostgreSQL", host=server.host or "127.0.0.1",
                 database=empty, user=clerk, password="whatever")
    look("3_server_postgresql")
    _next(qtbot, wizard)
    _tested(qtbot, wizard)
    if language == "zh":
        assert "数据库" in wizard.check_page.message_label.text()
    look("4_check_no_rights")
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    _type(qtbot, wizard.server_page.port_spin, "1")
    _next(qtbot, wizard)
    _tested(qtbot, wizard)
    look("5_check_unreachable")
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    _type(qtbot, wizard.server_page.port_spin, str(server.port or 5432))
    _type(qtbot, wizard.server_page.user_edit, server.username or "postgres")
    _next(qtbot, wizard)
    _tested(qtbot, wizard)
    look("6_check_empty")
    _click(qtbot, wizard.check_page.create_button)
    create = wizard.create_page
    _type(qtbot, create.company_edit, "北京鑫锐科技有限公司")
    _type(qtbot, create.display_edit, "系统管理员")
    _type(qtbot, create.password_edit, "12345678")
    _type(qtbot, create.repeat_edit, "12345678")
    _click(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    assert create.message_label.isVisible()
    look("7_create_weak_password")
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    _click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    _click(qtbot, wizard.where_page.this_pc_radio)
    _next(qtbot, wizard)
    look("8_station")
    _click(qtbot, wizard.button(QWizard.WizardButton.CancelButton))
