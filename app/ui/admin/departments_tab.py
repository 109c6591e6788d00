"""The departments tab (部门): list, create, rename, deactivate and reactivate departments."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation, StationCode
from app.services import administration as adm
from app.ui import labels
from app.ui.admin.common import fill_table, make_table, select_id, selected_id
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.kit.form_dialog import FormDialog
from app.ui.kit.record_dialog import keep_open


class DepartmentDialog(FormDialog):
    """Create a department or edit its names and station.

    Signals:
        saved(object): the :class:`DepartmentRow` as stored.
    """

    record_kind = "department"

    def __init__(self, ctx: AppContext, department: adm.DepartmentRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, name="department", width=380,
                         title=self.tr("New department") if department is None
                         else self.tr("Edit department"))
        self._department = department
        self.code = QLineEdit(self)
        self.code.setObjectName("department_code")
        self.code.setMaxLength(20)
        self.name_zh = QLineEdit(self)
        self.name_zh.setObjectName("department_name_zh")
        self.name_en = QLineEdit(self)
        self.name_en.setObjectName("department_name_en")
        self.station = QComboBox(self)
        self.station.setObjectName("department_station")
        self.station.addItem(self.tr("(none)"), None)
        for s in StationCode:
            self.station.addItem(labels.station_label(s), s.value)
        if department is not None:
            self.code.setText(department.code)
            self.code.setReadOnly(True)
            self.name_zh.setText(department.name_zh)
            self.name_en.setText(department.name_en)
            self.station.setCurrentIndex(max(0, self.station.findData(
                department.station.value if department.station else None)))
        self.form.addRow(self.tr("Code"), self.code)
        self.form.addRow(self.tr("Name (Chinese)"), self.name_zh)
        self.form.addRow(self.tr("Name (English)"), self.name_en)
        self.form.addRow(self.tr("Station"), self.station)

    def save(self) -> None:
        ctx, d = self._ctx, self._department
        code, zh, en = self.code.text(), self.name_zh.text(), self.name_en.text()
        station = self.station.currentData()
        if d is None:
            self.write(lambda uow: adm.create_department(
                uow=uow, actor=ctx.actor, code=code, name_zh=zh, name_en=en, station=station))
        else:
            self.write(lambda uow: adm.update_department(
                uow=uow, actor=ctx.actor, department_id=d.id, expected_version=d.version,
                name_zh=zh, name_en=en, station=station))


class DepartmentsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        # A department saved anywhere (here or in another window) is read again.
        ctx.changes.follow(self, ("department",), lambda _kind, _id: self.refresh())
        self.setObjectName("admin_departments")
        self._rows: tuple[adm.DepartmentRow, ...] = ()
        self.table = make_table(self, "departments_table", [
            self.tr("Code"), self.tr("Name"), self.tr("Station"), self.tr("Active users"),
            self.tr("Status")], stretch=1)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.new_button = QPushButton(self.tr("New department…"), self)
        self.new_button.setObjectName("new_department")
        self.new_button.clicked.connect(self.new_record)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.edit_button.setObjectName("edit_department")
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button = QPushButton(self.tr("Deactivate"), self)
        self.active_button.setObjectName("toggle_department")
        self.active_button.clicked.connect(self.toggle_selected)
        self.message = QLabel(self)
        self.message.setObjectName("departments_message")
        buttons = QHBoxLayout()
        for b in (self.new_button, self.edit_button, self.active_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.new_button.setVisible(ctx.can(Module.ADMINISTRATION, Operation.CREATE))
        may_edit = ctx.can(Module.ADMINISTRATION, Operation.EDIT)
        self.edit_button.setVisible(may_edit)
        self.active_button.setVisible(may_edit)
        self._update_buttons()

    def refresh(self) -> None:
        ctx = self._ctx
        ctx.run(lambda uow: adm.list_departments(uow=uow, actor=ctx.actor),
                on_done=self._loaded,
                on_error=lambda e: self.message.setText(describe_error(e).text), owner=self)

    def _loaded(self, rows: tuple[adm.DepartmentRow, ...]) -> None:
        keep = selected_id(self.table)
        self._rows = rows
        zh = self._ctx.language == "zh"
        fill_table(self.table, [(d.id, [
            d.code, d.name_zh if zh else d.name_en,
            labels.station_label(d.station) if d.station else "", str(d.user_count),
            self.tr("Enabled") if d.active else self.tr("Deactivated")], not d.active)
            for d in rows])
        self.message.setText(self.tr("{count} departments").format(count=len(rows)))
        if keep is not None:
            select_id(self.table, keep)
        self._update_buttons()

    def selected(self) -> adm.DepartmentRow | None:
        chosen = selected_id(self.table)
        return next((d for d in self._rows if d.id == chosen), None)

    def _update_buttons(self) -> None:
        d = self.selected()
        self.edit_button.setEnabled(d is not None)
        self.active_button.setEnabled(d is not None)
        self.active_button.setText(self.tr("Reactivate") if d is not None and not d.active
                                   else self.tr("Deactivate"))

    def new_record(self) -> None:
        """New department… (also the main window's New, Ctrl+N, on this tab)."""
        self._open(DepartmentDialog(self._ctx, None, self))

    def edit_selected(self) -> None:
        d = self.selected()
        if d is not None and self.edit_button.isVisible():
            self._open(DepartmentDialog(self._ctx, d, self))

    def _open(self, dialog: DepartmentDialog) -> None:
        keep_open(dialog)

    def toggle_selected(self) -> None:
        d = self.selected()
        if d is None:
            return
        ctx = self._ctx
        ctx.run(lambda uow: adm.set_department_active(
            uow=uow, actor=ctx.actor, department_id=d.id, expected_version=d.version,
            active=not d.active),
            on_done=lambda _r: self.refresh(), on_error=lambda e: show_error(self, e),
            owner=self)
