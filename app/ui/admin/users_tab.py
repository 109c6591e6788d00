"""The users tab (用户): list logins, create and edit them, reset a password, unlock, deactivate."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models import utcnow
from app.models.enums import Module, Operation, StationCode
from app.services import administration as adm
from app.ui import labels
from app.ui.admin.common import (
    ID_ROLE,
    fill_row,
    fill_table,
    local_time,
    make_table,
    select_id,
    selected_id,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.kit.form_dialog import FormDialog
from app.ui.kit.record_dialog import keep_open

Choices = tuple[tuple[adm.RoleRow, ...], tuple[adm.DepartmentRow, ...]]


def is_locked(user: adm.UserRow) -> bool:
    """Whether some station still waits before it may try this user again.

    ``locked_until`` is the summary app.services.auth keeps: the latest end of any
    station's wait, so a past time means nobody waits any more.
    """
    return user.locked_until is not None and user.locked_until > utcnow()


def role_name(role: adm.RoleRow | adm.UserRow, language: str) -> str:
    if isinstance(role, adm.UserRow):
        return role.role_name_zh if language == "zh" else role.role_name_en
    return role.name_zh if language == "zh" else role.name_en


class UserDialog(FormDialog):
    """Create a login (with its first password) or edit one.

    Signals:
        saved(object): the :class:`UserRow` as stored.
    """

    record_kind = "user"

    def __init__(self, ctx: AppContext, choices: Choices, user: adm.UserRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, name="user", width=420,
                         title=self.tr("New user") if user is None else self.tr("Edit user"))
        self._user = user
        roles, departments = choices
        form = self.form
        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.username.setMaxLength(40)
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("display_name")
        self.display_name.setMaxLength(100)
        self.role = QComboBox(self)
        self.role.setObjectName("role")
        for r in roles:
            self.role.addItem(role_name(r, ctx.language), r.id)
        self.department = QComboBox(self)
        self.department.setObjectName("department")
        self.department.addItem(self.tr("(none)"), None)
        for d in departments:
            if d.active or (user is not None and d.id == user.department_id):
                self.department.addItem(d.name_zh if ctx.language == "zh" else d.name_en, d.id)
        self.station = QComboBox(self)
        self.station.setObjectName("station")
        self.station.addItem(self.tr("(none)"), None)
        for s in StationCode:
            self.station.addItem(labels.station_label(s), s.value)
        self.phone = QLineEdit(self)
        self.phone.setObjectName("phone")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Display name"), self.display_name)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Department"), self.department)
        form.addRow(self.tr("Station"), self.station)
        form.addRow(self.tr("Phone"), self.phone)
        if user is None:
            form.addRow(self.tr("Initial password"), self.password)
        else:
            self.password.hide()
            self.username.setText(user.username)
            self.username.setReadOnly(True)
            self.display_name.setText(user.display_name)
            self.role.setCurrentIndex(max(0, self.role.findData(user.role_id)))
            self.department.setCurrentIndex(max(0, self.department.findData(user.department_id)))
            self.station.setCurrentIndex(max(0, self.station.findData(
                user.station.value if user.station else None)))
            self.phone.setText(user.phone or "")

    def save(self) -> None:
        ctx, user = self._ctx, self._user
        display, role_id = self.display_name.text(), self.role.currentData()
        department_id, station = self.department.currentData(), self.station.currentData()
        phone = self.phone.text() or None
        if user is None:
            username, password = self.username.text(), self.password.text()
            self.write(lambda uow: adm.create_user(
                uow=uow, actor=ctx.actor, username=username, display_name=display,
                role_id=role_id, password=password, department_id=department_id,
                station=station, phone=phone))
        else:
            self.write(lambda uow: adm.update_user(
                uow=uow, actor=ctx.actor, user_id=user.id, expected_version=user.version,
                display_name=display, role_id=role_id, department_id=department_id,
                station=station, phone=phone))


class PasswordDialog(FormDialog):
    """Set a new password for a user (also lifts a login lock)."""

    record_kind = "user"

    def __init__(self, ctx: AppContext, user: adm.UserRow, parent: QWidget | None = None
                 ) -> None:
        super().__init__(ctx, parent, name="password", title=self.tr("Reset password"),
                         width=360)
        self._user = user
        self.password = QLineEdit(self)
        self.password.setObjectName("new_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(self)
        self.repeat.setObjectName("repeat_password")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(QLabel(self.tr("User"), self), QLabel(
            f"{user.display_name} ({user.username})", self))
        self.form.addRow(self.tr("New password"), self.password)
        self.form.addRow(self.tr("Repeat"), self.repeat)

    def save(self) -> None:
        if self.password.text() != self.repeat.text():
            self.refuse(self.tr("The two passwords differ."))
            return
        ctx, user, password = self._ctx, self._user, self.password.text()
        self.write(lambda uow: adm.reset_password(uow=uow, actor=ctx.actor, user_id=user.id,
                                                  new_password=password))


class UsersTab(QWidget):
    """All logins with role, department and station; actions on the selected one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        # A user or department saved anywhere (here or in another window) is read again.
        ctx.changes.follow(self, ("user", "department"), lambda _kind, _id: self.refresh())
        self.setObjectName("admin_users")
        self._rows: tuple[adm.UserRow, ...] = ()
        self._choices: Choices = ((), ())
        self.search = QLineEdit(self)
        self.search.setObjectName("user_search")
        self.search.setPlaceholderText(self.tr("Find a user by name"))
        self.search.returnPressed.connect(self.refresh)
        self.show_inactive = QCheckBox(self.tr("Show deactivated"), self)
        self.show_inactive.setObjectName("show_inactive")
        self.show_inactive.setChecked(True)
        self.show_inactive.toggled.connect(self.refresh)
        self.table = make_table(self, "users_table", [
            self.tr("User name"), self.tr("Display name"), self.tr("Role"),
            self.tr("Department"), self.tr("Station"), self.tr("Phone"), self.tr("Status"),
            self.tr("Last login")], stretch=7)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.new_button = QPushButton(self.tr("New user…"), self)
        self.new_button.setObjectName("new_user")
        self.new_button.clicked.connect(self.new_user)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.edit_button.setObjectName("edit_user")
        self.edit_button.clicked.connect(self.edit_selected)
        self.password_button = QPushButton(self.tr("Reset password…"), self)
        self.password_button.setObjectName("reset_password")
        self.password_button.clicked.connect(self.reset_selected)
        # Alt+U: the mnemonic is in the text ("解锁(&U)" in Chinese), the way the login form
        # marks its fields; the neighbouring buttons act through a dialog and have none.
        self.unlock_button = QPushButton(self.tr("&Unlock"), self)
        self.unlock_button.setObjectName("unlock_user")
        self.unlock_button.setToolTip(self.tr(
            "Lift the wait that repeated wrong passwords put on this user's logins, at every"
            " station (Alt+U)."))
        self.unlock_button.clicked.connect(self.unlock_selected)
        self._unlocking: int | None = None
        self.active_button = QPushButton(self.tr("Deactivate"), self)
        self.active_button.setObjectName("toggle_active")
        self.active_button.clicked.connect(self.toggle_selected)
        self.message = QLabel(self)
        self.message.setObjectName("users_message")
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_inactive)
        buttons = QHBoxLayout()
        for b in (self.new_button, self.edit_button, self.password_button, self.unlock_button,
                  self.active_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        may_create = ctx.can(Module.ADMINISTRATION, Operation.CREATE)
        may_edit = ctx.can(Module.ADMINISTRATION, Operation.EDIT)
        self.new_button.setVisible(may_create)
        for b in (self.edit_button, self.password_button, self.unlock_button,
                  self.active_button):
            b.setVisible(may_edit)
        self._update_buttons()

    def refresh(self) -> None:
        ctx = self._ctx
        text, inactive = self.search.text(), self.show_inactive.isChecked()

        def load(uow):  # type: ignore[no-untyped-def]
            return (adm.list_users(uow=uow, actor=ctx.actor, include_inactive=inactive,
                                   text=text),
                    (adm.list_roles(uow=uow, actor=ctx.actor),
                     adm.list_departments(uow=uow, actor=ctx.actor)))

        ctx.run(load, on_done=self._loaded,
                on_error=lambda e: self.message.setText(describe_error(e).text), owner=self)

    def _loaded(self, result: tuple[tuple[adm.UserRow, ...], Choices]) -> None:
        keep = selected_id(self.table)
        self._rows, self._choices = result
        fill_table(self.table, [(u.id, self._cells(u), not u.active) for u in self._rows])
        if keep is not None:
            select_id(self.table, keep)
        self.message.setText(self.tr("{count} users").format(count=len(self._rows)))
        self._update_buttons()

    def _cells(self, u: adm.UserRow) -> list[str]:
        lang = self._ctx.language
        dept = (u.department_name_zh if lang == "zh" else u.department_name_en) or ""
        status = self.tr("Enabled") if u.active else self.tr("Deactivated")
        if u.active and is_locked(u):
            status = self.tr("Locked until {time}").format(time=local_time(u.locked_until))
        return [u.username, u.display_name, role_name(u, lang), dept,
                labels.station_label(u.station) if u.station else "", u.phone or "", status,
                local_time(u.last_login_at)]

    def selected(self) -> adm.UserRow | None:
        chosen = selected_id(self.table)
        return next((u for u in self._rows if u.id == chosen), None)

    def _update_buttons(self) -> None:
        user = self.selected()
        for b in (self.edit_button, self.password_button, self.active_button):
            b.setEnabled(user is not None)
        # A deactivated user may not log in anyway; reactivated, the row shows the wait again.
        self.unlock_button.setEnabled(user is not None and user.active and is_locked(user)
                                      and self._unlocking is None)
        self.active_button.setText(self.tr("Reactivate") if user is not None and not user.active
                                   else self.tr("Deactivate"))

    def new_user(self) -> None:
        self._open(UserDialog(self._ctx, self._choices, None, self))

    # The main window's New (Ctrl+N) on this page.
    new_record = new_user

    def edit_selected(self) -> None:
        user = self.selected()
        if user is not None and self.edit_button.isVisible():
            self._open(UserDialog(self._ctx, self._choices, user, self))

    def _open(self, dialog: UserDialog) -> None:
        # The list reads itself again (change bus); the status line names whom.
        dialog.saved.connect(lambda row: self.message.setText(
            self.tr("Saved {name}.").format(name=row.display_name)))
        keep_open(dialog)

    def reset_selected(self) -> None:
        user = self.selected()
        if user is not None:
            dialog = PasswordDialog(self._ctx, user, self)
            # A new password lifts the login wait too: the row's status shows it.
            dialog.accepted.connect(self.refresh)
            keep_open(dialog)

    def unlock_selected(self) -> None:
        """Lift the selected user's login wait at once, like a password reset without one."""
        user = self.selected()
        if user is None or self._unlocking is not None or self.unlock_button.isHidden():
            return
        ctx = self._ctx
        self._unlocking = user.id
        self._update_buttons()

        def done(row: adm.UserRow) -> None:
            self._unlocking = None
            self._show_row(row)
            self.message.setText(self.tr("{name} is unlocked and can log in again.").format(
                name=row.display_name))

        def failed(error: BaseException) -> None:
            self._unlocking = None
            self._update_buttons()
            show_error(self, error)

        ctx.run(lambda uow: adm.unlock_user(uow=uow, actor=ctx.actor, user_id=user.id),
                on_done=done, on_error=failed, owner=self)

    def _show_row(self, row: adm.UserRow) -> None:
        """Put the user as stored now into the list, in place, keeping the status line."""
        self._rows = tuple(row if u.id == row.id else u for u in self._rows)
        for i in range(self.table.rowCount()):
            item = self.table.item(i, 0)
            if item is not None and item.data(ID_ROLE) == row.id:
                # In place; the table sorts again once the cells are in.
                self.table.setSortingEnabled(False)
                fill_row(self.table, i, row.id, self._cells(row), dimmed=not row.active)
                self.table.setSortingEnabled(True)
        self._update_buttons()

    def toggle_selected(self) -> None:
        user = self.selected()
        if user is None:
            return
        ctx = self._ctx
        if not user.active:
            ctx.run(lambda uow: adm.reactivate_user(uow=uow, actor=ctx.actor, user_id=user.id,
                                                    expected_version=user.version),
                    on_done=lambda _r: self.refresh(),
                    on_error=lambda e: show_error(self, e), owner=self)
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Deactivate user"),
                          self.tr("Deactivate {name}? The account can no longer log in."
                                  ).format(name=user.display_name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("confirm_deactivate")
        box.buttonClicked.connect(lambda b: self._deactivate(user)
                                  if box.standardButton(b) == QMessageBox.StandardButton.Yes
                                  else None)
        self._confirm = box
        box.open()

    def _deactivate(self, user: adm.UserRow) -> None:
        ctx = self._ctx

        def done(_r: object) -> None:
            self.message.setText(self.tr("{name} is deactivated.").format(
                name=user.display_name))
            self.refresh()

        def failed(error: BaseException) -> None:
            show_error(self, error)

        ctx.run(lambda uow: adm.deactivate_user(uow=uow, actor=ctx.actor, user_id=user.id,
                                                expected_version=user.version),
                on_done=done, on_error=failed, owner=self)
