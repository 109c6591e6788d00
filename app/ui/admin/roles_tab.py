"""The role editor (角色权限): one matrix per role, and a "view as user" preview.

Rows are the modules; columns the operations (check boxes), then the data scope (own /
department / all) and the protected fields of the module (visible / read-only / hidden).
Save (Ctrl+S) writes the whole matrix in one transaction; the role's users get it at their
next action. A role changed by someone else meanwhile is refused and reloaded.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import DataScope, FieldAccess, Module, Operation
from app.services import administration as adm
from app.services.errors import ConflictError, ValidationError
from app.ui import labels
from app.ui.admin.common import (
    ID_ROLE,
    access_label,
    operation_label,
    scope_label,
)
from app.ui.admin.users_tab import role_name
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.kit.form_dialog import FormDialog
from app.ui.kit.record_dialog import keep_open

MODULES = tuple(Module)
OPERATIONS = tuple(Operation)
SCOPE_COLUMN = len(OPERATIONS)
FIELDS_COLUMN = SCOPE_COLUMN + 1


def field_label(f: adm.ProtectableField, language: str) -> str:
    return f.label(language)


def fields_summary(module: Module, rules: Mapping[tuple[Module, str], FieldAccess],
                   language: str) -> str:
    """"成本价: 隐藏, ..." for the fields that are not plainly visible, else "Visible"."""
    parts = [f"{field_label(f, language)}: {access_label(rules[(module, f.name)])}"
             for f in adm.PROTECTABLE_FIELDS.get(module, ())
             if (module, f.name) in rules]
    return "; ".join(parts) if parts else access_label(None)


class RoleMatrixWidget(QTableWidget):
    """The matrix of one role; editable, or read-only for the preview.

    Signals:
        changed(): the administrator changed a cell.
    """

    changed = Signal()

    def __init__(self, language: str, *, editable: bool, parent: QWidget | None = None
                 ) -> None:
        super().__init__(len(MODULES), len(OPERATIONS) + 2, parent)
        self._language = language
        self._editable = editable
        self._loading = False
        self._rules: dict[tuple[Module, str], FieldAccess] = {}
        self._scope_boxes: dict[Module, QComboBox] = {}
        self._field_buttons: dict[Module, QToolButton] = {}
        self.setObjectName("role_matrix" if editable else "preview_matrix")
        self.setHorizontalHeaderLabels([operation_label(o) for o in OPERATIONS]
                                       + [self.tr("Data scope"), self.tr("Protected fields")])
        self.setVerticalHeaderLabels([labels.module_label(m) for m in MODULES])
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        header = self.horizontalHeader()
        for col in range(len(OPERATIONS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SCOPE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FIELDS_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft
                                                  | Qt.AlignmentFlag.AlignVCenter)
        for row, module in enumerate(MODULES):
            for col in range(len(OPERATIONS)):
                item = QTableWidgetItem()
                flags = Qt.ItemFlag.ItemIsEnabled
                if editable:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.setItem(row, col, item)
            if editable:
                box = QComboBox(self)
                box.setObjectName(f"scope_{module.value}")
                for scope in DataScope:
                    box.addItem(scope_label(scope), scope.value)
                box.currentIndexChanged.connect(self._emit_changed)
                self.setCellWidget(row, SCOPE_COLUMN, box)
                self._scope_boxes[module] = box
            else:
                self.setItem(row, SCOPE_COLUMN, QTableWidgetItem())
            if module in adm.PROTECTABLE_FIELDS and editable:
                button = QToolButton(self)
                button.setObjectName(f"fields_{module.value}")
                button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                button.setSizePolicy(button.sizePolicy().Policy.Expanding,
                                     button.sizePolicy().verticalPolicy())
                button.setMenu(self._fields_menu(module, button))
                self.setCellWidget(row, FIELDS_COLUMN, button)
                self._field_buttons[module] = button
            else:
                item = QTableWidgetItem("" if module in adm.PROTECTABLE_FIELDS else "—")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.setItem(row, FIELDS_COLUMN, item)
        self.itemChanged.connect(self._emit_changed)

    def _fields_menu(self, module: Module, button: QToolButton) -> QMenu:
        menu = QMenu(button)
        for f in adm.PROTECTABLE_FIELDS[module]:
            sub = menu.addMenu(field_label(f, self._language))
            group = QActionGroup(sub)
            for access in (None, FieldAccess.READ_ONLY, FieldAccess.HIDDEN):
                action = QAction(access_label(access), sub)
                action.setCheckable(True)
                action.setData((module.value, f.name, access.value if access else ""))
                action.triggered.connect(
                    lambda _c=False, m=module, n=f.name, a=access: self.set_field_access(m, n, a))
                group.addAction(action)
                sub.addAction(action)
        return menu

    # --- reading and writing the matrix --------------------------------------------------

    def load(self, matrix: adm.RoleMatrix | adm.UserPreview) -> None:
        self._loading = True
        try:
            if isinstance(matrix, adm.RoleMatrix):
                operations, scopes = matrix.operations, matrix.scopes
                rules = dict(matrix.field_rules)
            else:
                operations, scopes = matrix.operations, matrix.scopes
                rules = {k: FieldAccess.HIDDEN for k in matrix.hidden_fields}
                rules.update({k: FieldAccess.READ_ONLY for k in matrix.read_only_fields})
            self._rules = rules
            for row, module in enumerate(MODULES):
                for col, op in enumerate(OPERATIONS):
                    item = self.item(row, col)
                    item.setCheckState(Qt.CheckState.Checked if (module, op) in operations
                                       else Qt.CheckState.Unchecked)
                scope = scopes.get(module, DataScope.OWN)
                if self._editable:
                    box = self._scope_boxes[module]
                    box.setCurrentIndex(box.findData(scope.value))
                else:
                    self.item(row, SCOPE_COLUMN).setText(scope_label(scope))
                self._show_fields(module)
        finally:
            self._loading = False

    def _show_fields(self, module: Module) -> None:
        if module not in adm.PROTECTABLE_FIELDS:
            return
        text = fields_summary(module, self._rules, self._language)
        button = self._field_buttons.get(module)
        if button is not None:
            button.setText(text)
            button.setToolTip(self.tr("Choose for each protected field: visible, read-only"
                                      " or hidden"))
            for sub in button.menu().actions():
                menu = sub.menu()
                if menu is None:
                    continue
                for action in menu.actions():
                    m, name, access = action.data()
                    current = self._rules.get((Module(m), name))
                    action.setChecked((current.value if current else "") == access)
        else:
            self.item(MODULES.index(module), FIELDS_COLUMN).setText(text)

    def operations(self) -> set[tuple[Module, Operation]]:
        return {(module, op) for row, module in enumerate(MODULES)
                for col, op in enumerate(OPERATIONS)
                if self.item(row, col).checkState() == Qt.CheckState.Checked}

    def scopes(self) -> dict[Module, DataScope]:
        return {m: DataScope(box.currentData()) for m, box in self._scope_boxes.items()}

    def field_rules(self) -> dict[tuple[Module, str], FieldAccess]:
        return dict(self._rules)

    def is_checked(self, module: Module, operation: Operation) -> bool:
        item = self.item(MODULES.index(module), OPERATIONS.index(operation))
        return item.checkState() == Qt.CheckState.Checked

    def set_operation(self, module: Module, operation: Operation, allowed: bool) -> None:
        self.item(MODULES.index(module), OPERATIONS.index(operation)).setCheckState(
            Qt.CheckState.Checked if allowed else Qt.CheckState.Unchecked)

    def set_scope(self, module: Module, scope: DataScope) -> None:
        box = self._scope_boxes[module]
        box.setCurrentIndex(box.findData(scope.value))

    def set_field_access(self, module: Module, name: str, access: FieldAccess | None) -> None:
        if access is None:
            self._rules.pop((module, name), None)
        else:
            self._rules[(module, name)] = access
        self._show_fields(module)
        self._emit_changed()

    def fields_text(self, module: Module) -> str:
        button = self._field_buttons.get(module)
        if button is not None:
            return button.text()
        return self.item(MODULES.index(module), FIELDS_COLUMN).text()

    def _emit_changed(self, *_args: object) -> None:
        if not self._loading:
            self.changed.emit()


class RoleNameDialog(FormDialog):
    """A new role (copied from an existing one), or new names for a role.

    Signals:
        saved(object): the new :class:`RoleMatrix` (new role) or :class:`RoleRow` (renamed).
    """

    def __init__(self, ctx: AppContext, roles: tuple[adm.RoleRow, ...],
                 role: adm.RoleRow | None = None, copy_from: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, name="role_name", width=400,
                         title=self.tr("New role") if role is None else self.tr("Rename role"))
        self._role = role
        self.code = QLineEdit(self)
        self.code.setObjectName("role_code")
        self.code.setMaxLength(40)
        self.name_zh = QLineEdit(self)
        self.name_zh.setObjectName("role_name_zh")
        self.name_en = QLineEdit(self)
        self.name_en.setObjectName("role_name_en")
        self.copy_from = QComboBox(self)
        self.copy_from.setObjectName("copy_from")
        self.copy_from.addItem(self.tr("(no permissions)"), None)
        for r in roles:
            self.copy_from.addItem(role_name(r, ctx.language), r.id)
        form = self.form
        form.addRow(self.tr("Code"), self.code)
        form.addRow(self.tr("Name (Chinese)"), self.name_zh)
        form.addRow(self.tr("Name (English)"), self.name_en)
        if role is None:
            form.addRow(self.tr("Copy permissions from"), self.copy_from)
            self.copy_from.setCurrentIndex(max(0, self.copy_from.findData(copy_from)))
        else:
            self.copy_from.hide()
            self.code.setText(role.code)
            self.code.setReadOnly(True)
            self.name_zh.setText(role.name_zh)
            self.name_en.setText(role.name_en)
        self.errors.setObjectName("role_errors")

    def save(self) -> None:
        ctx, role = self._ctx, self._role
        code, zh, en = self.code.text(), self.name_zh.text(), self.name_en.text()
        source = self.copy_from.currentData()
        if role is None:
            self.write(lambda uow: adm.create_role(uow=uow, actor=ctx.actor, code=code,
                                                   name_zh=zh, name_en=en,
                                                   copy_from_id=source))
        else:
            self.write(lambda uow: adm.rename_role(uow=uow, actor=ctx.actor, role_id=role.id,
                                                   expected_version=role.version,
                                                   name_zh=zh, name_en=en))



class ViewAsDialog(QDialog):
    """What a chosen user's role lets them see: modules, operations, scopes, fields."""

    def __init__(self, ctx: AppContext, users: tuple[adm.UserRow, ...],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("view_as_dialog")
        self.setWindowTitle(self.tr("View as user"))
        self.user = QComboBox(self)
        self.user.setObjectName("view_as_user")
        for u in users:
            self.user.addItem(f"{u.display_name} ({u.username}) — {role_name(u, ctx.language)}",
                              u.id)
        self.user.currentIndexChanged.connect(self.load)
        self.summary = QLabel(self)
        self.summary.setObjectName("view_as_summary")
        self.summary.setWordWrap(True)
        self.matrix = RoleMatrixWidget(ctx.language, editable=False, parent=self)
        self.fields = QPlainTextEdit(self)
        self.fields.setObjectName("view_as_fields")
        self.fields.setReadOnly(True)
        self.fields.setMaximumHeight(90)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("User"), self))
        top.addWidget(self.user, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.matrix, 1)
        layout.addWidget(QLabel(self.tr("Protected fields"), self))
        layout.addWidget(self.fields)
        layout.addWidget(buttons)
        self.resize(980, 720)
        self.preview: adm.UserPreview | None = None

    def choose(self, user_id: int) -> None:
        index = self.user.findData(user_id)
        if index >= 0:
            self.user.setCurrentIndex(index)
            self.load()

    def load(self) -> None:
        ctx, user_id = self._ctx, self.user.currentData()
        if user_id is None:
            return
        ctx.run(lambda uow: adm.view_as(uow=uow, actor=ctx.actor, user_id=user_id),
                on_done=self._show,
                on_error=lambda e: self.summary.setText(describe_error(e).text), owner=self)

    def _show(self, preview: adm.UserPreview) -> None:
        self.preview = preview
        self.matrix.load(preview)
        if not preview.user.active:
            self.summary.setText(self.tr("This account is deactivated: it sees nothing."))
        else:
            modules = "、".join(labels.module_label(m) for m in preview.visible_modules)
            self.summary.setText(self.tr("Sees these modules: {modules}").format(
                modules=modules or self.tr("(none)")))
        lines = []
        lang = self._ctx.language
        for module, fields in adm.PROTECTABLE_FIELDS.items():
            for f in fields:
                key = (module, f.name)
                if key in preview.hidden_fields:
                    lines.append(f"{labels.module_label(module)} · {field_label(f, lang)}: "
                                 f"{access_label(FieldAccess.HIDDEN)}")
                elif key in preview.read_only_fields:
                    lines.append(f"{labels.module_label(module)} · {field_label(f, lang)}: "
                                 f"{access_label(FieldAccess.READ_ONLY)}")
        self.fields.setPlainText("\n".join(lines) or self.tr("Every field is visible."))


class RolesTab(QWidget):
    """Roles on the left; the selected role's matrix on the right."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("admin_roles")
        self._roles: tuple[adm.RoleRow, ...] = ()
        self._users: tuple[adm.UserRow, ...] = ()
        self.matrix_data: adm.RoleMatrix | None = None
        self.dirty = False
        self._pending_role: int | None = None

        self.role_list = QListWidget(self)
        self.role_list.setObjectName("role_list")
        self.role_list.currentItemChanged.connect(self._role_chosen)
        self.new_button = QPushButton(self.tr("New role…"), self)
        self.new_button.setObjectName("new_role")
        self.new_button.clicked.connect(self.new_role)
        self.rename_button = QPushButton(self.tr("Rename…"), self)
        self.rename_button.setObjectName("rename_role")
        self.rename_button.clicked.connect(self.rename_role)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("delete_role")
        self.delete_button.clicked.connect(self.delete_role)
        self.view_as_button = QPushButton(self.tr("View as user…"), self)
        self.view_as_button.setObjectName("view_as")
        self.view_as_button.clicked.connect(self.view_as)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("Roles"), left))
        left_layout.addWidget(self.role_list, 1)
        for b in (self.new_button, self.rename_button, self.delete_button, self.view_as_button):
            left_layout.addWidget(b)

        self.title = QLabel(self)
        self.title.setObjectName("role_title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.hint = QLabel(self.tr("Tick what the role may do in each module. Changes apply to"
                                   " its users at their next action."), self)
        self.hint.setObjectName("role_hint")
        self.hint.setWordWrap(True)
        self.matrix = RoleMatrixWidget(ctx.language, editable=True, parent=self)
        self.matrix.changed.connect(self._mark_dirty)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_role")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(self.tr("Discard changes"), self)
        self.revert_button.setObjectName("revert_role")
        self.revert_button.clicked.connect(self.reload_matrix)
        self.status = QLabel(self)
        self.status.setObjectName("role_status")
        self.status.setWordWrap(True)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.hint)
        right_layout.addWidget(self.matrix, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        right_layout.addLayout(bottom)

        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        self.role_list.setMinimumWidth(250)
        splitter.setSizes([270, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        may_edit = ctx.can(Module.ADMINISTRATION, Operation.EDIT)
        self.new_button.setVisible(ctx.can(Module.ADMINISTRATION, Operation.CREATE))
        self.delete_button.setVisible(ctx.can(Module.ADMINISTRATION, Operation.DELETE))
        for w in (self.rename_button, self.save_button, self.revert_button):
            w.setVisible(may_edit)
        self.matrix.setEnabled(may_edit)
        self._update_buttons()

    # --- loading -------------------------------------------------------------------------

    def refresh(self) -> None:
        ctx = self._ctx

        def load(uow):  # type: ignore[no-untyped-def]
            return (adm.list_roles(uow=uow, actor=ctx.actor),
                    adm.list_users(uow=uow, actor=ctx.actor))

        ctx.run(load, on_done=self._roles_loaded,
                on_error=lambda e: self.status.setText(describe_error(e).text), owner=self)

    def _roles_loaded(self, result: tuple[tuple[adm.RoleRow, ...], tuple[adm.UserRow, ...]]
                      ) -> None:
        self._roles, self._users = result
        keep = self._pending_role or (self.matrix_data.role.id if self.matrix_data else None)
        self._pending_role = None
        self.role_list.blockSignals(True)
        self.role_list.clear()
        current = None
        for r in self._roles:
            text = role_name(r, self._ctx.language)
            if r.is_system:
                text += " " + self.tr("(default)")
            item = QListWidgetItem(f"{text} · {r.user_count}")
            item.setData(ID_ROLE, r.id)
            item.setToolTip(r.code)
            self.role_list.addItem(item)
            if r.id == keep:
                current = item
        self.role_list.blockSignals(False)
        if current is None and self.role_list.count():
            current = self.role_list.item(0)
        if current is not None:
            self.role_list.setCurrentItem(current)
            if self.matrix_data is None or self.matrix_data.role.id != current.data(ID_ROLE) \
                    or not self.dirty:
                self._load_matrix(int(current.data(ID_ROLE)))
        self._update_buttons()

    def select_role(self, code: str) -> bool:
        for i in range(self.role_list.count()):
            item = self.role_list.item(i)
            if item.toolTip() == code:
                self.role_list.setCurrentItem(item)
                return True
        return False

    def _role_chosen(self, current: QListWidgetItem | None,
                     previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        role_id = int(current.data(ID_ROLE))
        if self.matrix_data is not None and role_id == self.matrix_data.role.id:
            return
        if self.dirty and previous is not None:
            self._ask_discard(previous, role_id)
            return
        self._load_matrix(role_id)

    def _ask_discard(self, previous: QListWidgetItem, role_id: int) -> None:
        self.role_list.blockSignals(True)
        self.role_list.setCurrentItem(previous)
        self.role_list.blockSignals(False)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unsaved changes"),
                          self.tr("The permissions of this role have unsaved changes."
                                  " Discard them?"),
                          QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("discard_role_changes")

        def answered(button: object) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Discard:  # type: ignore[arg-type]
                self.dirty = False
                self._select_id(role_id)

        box.buttonClicked.connect(answered)
        self._question = box
        box.open()

    def _select_id(self, role_id: int) -> None:
        for i in range(self.role_list.count()):
            if self.role_list.item(i).data(ID_ROLE) == role_id:
                self.role_list.setCurrentItem(self.role_list.item(i))
                return

    def _load_matrix(self, role_id: int) -> None:
        ctx = self._ctx
        ctx.run(lambda uow: adm.get_role_matrix(uow=uow, actor=ctx.actor, role_id=role_id),
                on_done=self._matrix_loaded,
                on_error=lambda e: self.status.setText(describe_error(e).text), owner=self)

    def reload_matrix(self) -> None:
        if self.matrix_data is not None:
            self.dirty = False
            self._load_matrix(self.matrix_data.role.id)

    def _matrix_loaded(self, matrix: adm.RoleMatrix) -> None:
        self.matrix_data = matrix
        self.matrix.load(matrix)
        self.dirty = False
        role = matrix.role
        self.title.setText(self.tr("{role} — {count} active users").format(
            role=role_name(role, self._ctx.language), count=role.user_count))
        self.status.setText("")
        self._update_buttons()

    # --- editing -------------------------------------------------------------------------

    def _mark_dirty(self) -> None:
        self.dirty = True
        self.status.setText(self.tr("Unsaved changes (Ctrl+S saves)."))
        self._update_buttons()

    def _update_buttons(self) -> None:
        role = self.current_role()
        self.rename_button.setEnabled(role is not None)
        self.delete_button.setEnabled(role is not None and not role.is_system
                                      and role.user_count == 0)
        self.save_button.setEnabled(self.dirty)
        self.revert_button.setEnabled(self.dirty)
        self.view_as_button.setEnabled(bool(self._users))

    def current_role(self) -> adm.RoleRow | None:
        item = self.role_list.currentItem()
        if item is None:
            return None
        return next((r for r in self._roles if r.id == item.data(ID_ROLE)), None)

    def save(self) -> None:
        if self.matrix_data is None or not self.dirty or not self.save_button.isVisible():
            return
        ctx, role = self._ctx, self.matrix_data.role
        operations = self.matrix.operations()
        scopes = self.matrix.scopes()
        rules = self.matrix.field_rules()
        self.save_button.setEnabled(False)
        self.status.setText(self.tr("Saving…"))
        ctx.run(lambda uow: adm.save_role_matrix(
            uow=uow, actor=ctx.actor, role_id=role.id, expected_version=role.version,
            operations=operations, scopes=scopes, field_rules=rules),
            on_done=self._saved, on_error=self._save_failed, owner=self)

    def _saved(self, matrix: adm.RoleMatrix) -> None:
        self._matrix_loaded(matrix)
        self.status.setText(self.tr("Saved. The role's users have the new permissions from"
                                    " their next action."))

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ConflictError):
            show_error(self, error)
            self.status.setText(self.tr("Someone else changed this role: reloaded; make your"
                                        " changes again."))
            self.reload_matrix()
        elif isinstance(error, ValidationError):
            self.status.setText(describe_error(error).text)
        else:
            self.status.setText(describe_error(error).text)
            show_error(self, error)

    # --- role actions --------------------------------------------------------------------

    def new_role(self) -> None:
        role = self.current_role()
        dialog = RoleNameDialog(self._ctx, self._roles, None,
                                role.id if role is not None else None, self)
        dialog.saved.connect(self._created)
        keep_open(dialog)

    # The main window's New (Ctrl+N) on this page.
    new_record = new_role

    def _created(self, matrix: adm.RoleMatrix) -> None:
        self._pending_role = matrix.role.id
        self.dirty = False
        self.matrix_data = None
        self.refresh()

    def rename_role(self) -> None:
        role = self.current_role()
        if role is None:
            return
        dialog = RoleNameDialog(self._ctx, self._roles, role, None, self)
        dialog.saved.connect(lambda _r: self._renamed())
        keep_open(dialog)

    def _renamed(self) -> None:
        # Renaming moves the version: load the matrix again so a later save is not refused.
        self.matrix_data = None
        self.refresh()

    def delete_role(self) -> None:
        role = self.current_role()
        if role is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete role"),
                          self.tr("Delete the role {role}? This cannot be undone.").format(
                              role=role_name(role, self._ctx.language)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("confirm_delete_role")
        box.buttonClicked.connect(lambda b: self._delete(role) if box.standardButton(b)
                                  == QMessageBox.StandardButton.Yes else None)
        self._question = box
        box.open()

    def _delete(self, role: adm.RoleRow) -> None:
        ctx = self._ctx

        def deleted(_r: object) -> None:
            self.matrix_data = None
            self.dirty = False
            self.refresh()

        ctx.run(lambda uow: adm.delete_role(uow=uow, actor=ctx.actor, role_id=role.id,
                                            expected_version=role.version),
                on_done=deleted, on_error=lambda e: show_error(self, e), owner=self)

    def view_as(self) -> ViewAsDialog:
        dialog = ViewAsDialog(self._ctx, tuple(u for u in self._users), self)
        keep_open(dialog)
        dialog.load()
        return dialog
