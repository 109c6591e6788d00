"""The custom field designer (自定义字段): the administrator adds fields to records.

Choose the kind of record, see its fields in form order, add or edit one in a dialog
(code, labels in Chinese and English, kind, required, default, choice list, group), move
fields up and down, remove one (its values are kept) or restore it, and watch a live
preview of the form as users will see it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import labels
from app.models.enums import CustomFieldEntity, CustomFieldKind, Module, Operation
from app.services.custom_fields import (
    CHOICE_KINDS,
    Choice,
    FieldDefinition,
    FieldDraft,
    code_from_label,
    define_field,
    definitions,
    edit_field,
    remove_field,
    reorder,
    restore_field,
    unique_code,
)
from app.services.errors import ValidationError
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.errors import show_error

ERROR_COLOUR = "#b00020"
FIELD_ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"
_REMOVED = QColor("#8a8a8a")


# The records whose forms show custom fields: contacts and devices on the customer card
# (one row at a time, "Custom fields…"), care items in the care outcome dialog.
FORM_ENTITIES = (CustomFieldEntity.CUSTOMER, CustomFieldEntity.CONTACT, CustomFieldEntity.DEVICE,
                 CustomFieldEntity.VISIT, CustomFieldEntity.ORDER,
                 CustomFieldEntity.SERVICE_TICKET, CustomFieldEntity.CARE_ITEM)


def entity_labels(owner: QWidget) -> list[tuple[CustomFieldEntity, str]]:
    """The kinds of record an administrator may add fields to, as people call them."""
    return [(entity, labels.label(entity)) for entity in FORM_ENTITIES]


def kind_labels(owner: QWidget) -> list[tuple[CustomFieldKind, str]]:
    return labels.choices(CustomFieldKind)


class CustomFieldsDesigner(QWidget):
    """The designer page (a tab of the administration page)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("custom_fields_designer")
        self._ctx = ctx
        self._fields: tuple[FieldDefinition, ...] = ()
        self._busy = False
        self._pending_select: str | None = None
        self.field_dialog: CustomFieldDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._kinds = dict(kind_labels(self))

        self.entity_combo = QComboBox(self)
        self.entity_combo.setObjectName("entity_combo")
        for entity, label in entity_labels(self):
            self.entity_combo.addItem(label, entity.value)
        self.entity_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        entity_label = QLabel(self.tr("Fields of:"), self)
        entity_label.setBuddy(self.entity_combo)
        self.show_removed = QCheckBox(self.tr("Show removed fields"), self)
        self.show_removed.setObjectName("show_removed")
        self.show_removed.toggled.connect(lambda _c: self.refresh())
        top = QHBoxLayout()
        top.addWidget(entity_label)
        top.addWidget(self.entity_combo)
        top.addSpacing(16)
        top.addWidget(self.show_removed)
        top.addStretch(1)

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("fields_table")
        self.table.setHorizontalHeaderLabels([
            self.tr("Label"), self.tr("Code"), self.tr("Kind"), self.tr("Required"),
            self.tr("Group")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())

        def button(name: str, text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
            b = QPushButton(text, self)
            b.setObjectName(name)
            b.setToolTip(tip)
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            return b

        self.add_button = button("add_button", self.tr("Add field…"),
                                 self.tr("Add a field to this kind of record (Ctrl+N)"),
                                 self.add_field)
        # The main window's New (Ctrl+N) adds a field while this tab is on show.
        self.new_button = self.add_button
        self.edit_button = button("edit_button", self.tr("Edit…"),
                                  self.tr("Change the selected field (Enter)"),
                                  self.edit_selected)
        self.up_button = button("up_button", self.tr("Move up"),
                                self.tr("Earlier on the form (Ctrl+Up)"),
                                lambda: self.move_selected(-1))
        self.down_button = button("down_button", self.tr("Move down"),
                                  self.tr("Later on the form (Ctrl+Down)"),
                                  lambda: self.move_selected(1))
        self.remove_button = button("remove_button", self.tr("Remove…"),
                                    self.tr("Hide the field; the values entered are kept"),
                                    self.remove_selected)
        self.restore_button = button("restore_button", self.tr("Restore"),
                                     self.tr("Show a removed field again, with its values"),
                                     self.restore_selected)
        buttons = QVBoxLayout()
        for b in (self.add_button, self.edit_button, self.up_button, self.down_button,
                  self.remove_button, self.restore_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        left = QWidget(self)
        left_layout = QHBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(buttons)

        self.preview = CustomFieldsForm((), self, language=ctx.language)
        self.preview.setObjectName("preview_form")
        self.preview_empty = QLabel(self.tr("No fields yet: “Add field…” adds the first."),
                                    self)
        self.preview_empty.setObjectName("preview_empty")
        self.preview_empty.setWordWrap(True)
        self.preview_empty.setStyleSheet("color: #5f6368;")
        preview_box = QGroupBox(self.tr("Preview of the form"), self)
        preview_box.setObjectName("preview_box")
        scroll = QScrollArea(preview_box)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.preview)
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.preview_empty)
        preview_layout.addWidget(scroll, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(preview_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("designer_status")
        self.status_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status_label)

        QShortcut(QKeySequence("Ctrl+Up"), self, lambda: self.move_selected(-1))
        QShortcut(QKeySequence("Ctrl+Down"), self, lambda: self.move_selected(1))
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self.edit_selected)
        self._update_buttons()
        self.refresh()

    # --- public ---------------------------------------------------------------------------

    @property
    def entity(self) -> CustomFieldEntity:
        return CustomFieldEntity(self.entity_combo.currentData())

    @property
    def fields(self) -> tuple[FieldDefinition, ...]:
        return self._fields

    def set_entity(self, entity: CustomFieldEntity) -> None:
        self.entity_combo.setCurrentIndex(self.entity_combo.findData(entity.value))

    def selected(self) -> FieldDefinition | None:
        row = self.table.currentRow()
        return self._fields[row] if 0 <= row < len(self._fields) else None

    def select_code(self, code: str) -> None:
        for row, f in enumerate(self._fields):
            if f.code == code:
                self.table.selectRow(row)
                return

    def refresh(self) -> None:
        """F5: read the fields of the chosen kind of record again."""
        actor, entity = self._ctx.actor, self.entity
        include_removed = self.show_removed.isChecked()
        chosen = self.selected()
        keep = chosen.code if chosen is not None else None
        self._set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: definitions(uow=uow, actor=actor, entity=entity,
                                              include_removed=include_removed),
                      on_done=lambda fields: self._show(entity, fields, keep),
                      on_error=self._failed, owner=self)

    def add_field(self) -> None:
        self._open_dialog(None)

    new_record = add_field  # the main window's New (Ctrl+N) on this tab

    def edit_selected(self) -> None:
        field = self.selected()
        if field is not None:
            self._open_dialog(field)

    def move_selected(self, step: int) -> None:
        field = self.selected()
        if field is None or self._busy:
            return
        ids = [f.id for f in self._fields]
        row = ids.index(field.id)
        target = row + step
        if not 0 <= target < len(ids):
            return
        ids[row], ids[target] = ids[target], ids[row]
        actor, entity = self._ctx.actor, self.entity
        self._set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: reorder(uow=uow, actor=actor, entity=entity, field_ids=ids),
                      on_done=lambda _fields: self._after_change(field.code),
                      on_error=self._failed, owner=self)

    def remove_selected(self) -> None:
        field = self.selected()
        if field is None or not field.active:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Remove field?"),
            self.tr("Remove the field “{label}”?").format(label=field.label(self._ctx.language)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("remove_confirm_box")
        box.setInformativeText(self.tr(
            "It disappears from forms, lists, exports and printouts. The values already "
            "entered are kept and come back if you restore the field."))
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Remove"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(
            lambda: self._set_active(field, active=False))
        self.confirm_box = box
        box.open()

    def restore_selected(self) -> None:
        field = self.selected()
        if field is not None and not field.active:
            self._set_active(field, active=True)

    # --- internals ------------------------------------------------------------------------

    def _set_active(self, field: FieldDefinition, *, active: bool) -> None:
        actor = self._ctx.actor
        call = restore_field if active else remove_field
        self._set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: call(uow=uow, actor=actor, field_id=field.id,
                                       expected_version=field.version),
                      on_done=lambda _f: self._after_change(field.code),
                      on_error=self._failed, owner=self)

    def _after_change(self, code: str | None) -> None:
        self._set_busy(False, "")
        self._pending_select = code
        self.refresh()

    def _open_dialog(self, field: FieldDefinition | None) -> None:
        if not self._ctx.can(Module.ADMINISTRATION,
                             Operation.CREATE if field is None else Operation.EDIT):
            return
        groups = sorted({f.group_name for f in self._fields if f.group_name})
        dialog = CustomFieldDialog(self._ctx, self.entity, field, groups, self,
                                   taken_codes=[f.code for f in self._fields])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda saved: self._after_change(saved.code))
        self.field_dialog = dialog
        dialog.open()

    def _show(self, entity: CustomFieldEntity, fields: Sequence[FieldDefinition],
              keep: str | None) -> None:
        if entity != self.entity:
            return  # the user chose another kind meanwhile; its answer comes next
        self._fields = tuple(fields)
        self.table.setRowCount(len(self._fields))
        for row, f in enumerate(self._fields):
            texts = [f.label(self._ctx.language), f.code, self._kinds.get(f.kind, f.kind.value),
                     self.tr("Yes") if f.required else "", f.group_name or ""]
            if not f.active:
                texts[0] = self.tr("{label} (removed)").format(label=texts[0])
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if not f.active:
                    item.setForeground(QBrush(_REMOVED))
                if column == 0:
                    item.setToolTip(f"{f.label_zh} / {f.label_en}")
                self.table.setItem(row, column, item)
        self.preview.set_definitions([f for f in self._fields if f.active])
        self.preview_empty.setVisible(not self.preview.definitions)
        wanted = self._pending_select or keep
        self._pending_select = None
        if wanted:
            self.select_code(wanted)
        elif self._fields:
            self.table.selectRow(0)
        self._set_busy(False, "")

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False, self.tr("Not done."), error=True)
        show_error(self, error)
        if not isinstance(error, ValidationError):
            self.refresh()

    def _set_busy(self, busy: bool, message: str, *, error: bool = False) -> None:
        self._busy = busy
        self.status_label.setText(message)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        field = self.selected()
        may_create = self._ctx.can(Module.ADMINISTRATION, Operation.CREATE)
        may_edit = self._ctx.can(Module.ADMINISTRATION, Operation.EDIT)
        idle = not self._busy
        row = self.table.currentRow()
        self.add_button.setEnabled(idle and may_create)
        self.edit_button.setEnabled(idle and may_edit and field is not None)
        self.up_button.setEnabled(idle and may_edit and field is not None and row > 0)
        self.down_button.setEnabled(idle and may_edit and field is not None
                                    and row < len(self._fields) - 1)
        self.remove_button.setEnabled(idle and may_edit and field is not None
                                      and field.active)
        self.restore_button.setEnabled(idle and may_edit and field is not None
                                       and not field.active)
        self.restore_button.setVisible(self.show_removed.isChecked())


class CustomFieldDialog(QDialog):
    """Add a field (``field`` None) or edit one. Emits ``saved(FieldDefinition)``."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, entity: CustomFieldEntity,
                 field: FieldDefinition | None, groups: Sequence[str],
                 parent: QWidget | None = None, *, taken_codes: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.setObjectName("custom_field_dialog")
        self._taken_codes = frozenset(taken_codes)
        self._ctx = ctx
        self._entity = entity
        self._field = field
        self._errors: dict[str, str] = {}
        entity_name = dict(entity_labels(self))[entity]
        self.setWindowTitle(self.tr("Add field to {entity}").format(entity=entity_name)
                            if field is None else
                            self.tr("Edit field “{label}”").format(label=field.label_zh))

        self.label_zh_edit = QLineEdit(self)
        self.label_zh_edit.setObjectName("label_zh_edit")
        self.label_zh_edit.setMaxLength(100)
        self.label_zh_edit.setPlaceholderText("使用硒鼓型号")
        self.label_en_edit = QLineEdit(self)
        self.label_en_edit.setObjectName("label_en_edit")
        self.label_en_edit.setMaxLength(100)
        self.label_en_edit.setPlaceholderText(self.tr("Optional: the Chinese label is used"))
        self.code_edit = QLineEdit(self)
        self.code_edit.setObjectName("code_edit")
        self.code_edit.setMaxLength(40)
        self.code_edit.setPlaceholderText(self.tr("Made from the label"))
        self.code_edit.setToolTip(self.tr("A short name for exports and programs, made from "
                                          "the label's pinyin; letters, digits and _; it "
                                          "cannot change later"))
        # A new field's code follows its labels (the English one if typed, else the
        # Chinese one's pinyin) until the administrator types one.
        self._code_typed = field is not None
        self.code_edit.textEdited.connect(self._on_code_edited)
        self.label_zh_edit.textChanged.connect(lambda _t: self._suggest_code())
        self.label_en_edit.textChanged.connect(lambda _t: self._suggest_code())
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kind_combo")
        for kind, label in kind_labels(self):
            self.kind_combo.addItem(label, kind.value)
        self.required_check = QCheckBox(self.tr("Must be filled in"), self)
        self.required_check.setObjectName("required_check")
        self.default_edit = QLineEdit(self)
        self.default_edit.setObjectName("default_edit")
        self.default_edit.setMaxLength(200)
        self.group_combo = QComboBox(self)
        self.group_combo.setObjectName("group_combo")
        self.group_combo.setEditable(True)
        self.group_combo.addItem("")
        self.group_combo.addItems(list(groups))
        self.group_combo.setToolTip(self.tr("Fields with the same group are shown in one box"))

        self.choices_table = QTableWidget(0, 3, self)
        self.choices_table.setObjectName("choices_table")
        self.choices_table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Chinese"), self.tr("English (optional)")])
        self.choices_table.verticalHeader().setVisible(False)
        self.choices_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        self.choices_table.setMinimumHeight(140)
        self.add_choice_button = QPushButton(self.tr("Add choice"), self)
        self.add_choice_button.setObjectName("add_choice_button")
        self.add_choice_button.setAutoDefault(False)
        self.add_choice_button.clicked.connect(lambda _checked=False: self.add_choice())
        self.remove_choice_button = QPushButton(self.tr("Remove choice"), self)
        self.remove_choice_button.setObjectName("remove_choice_button")
        self.remove_choice_button.setAutoDefault(False)
        self.remove_choice_button.clicked.connect(self._remove_choice)
        self.choices_box = QGroupBox(self.tr("Choices"), self)
        self.choices_box.setObjectName("choices_box")
        choice_buttons = QHBoxLayout()
        choice_buttons.addWidget(self.add_choice_button)
        choice_buttons.addWidget(self.remove_choice_button)
        choice_buttons.addStretch(1)
        choices_layout = QVBoxLayout(self.choices_box)
        choices_layout.addWidget(self.choices_table)
        self.choices_error = self._error_label("options")
        choices_layout.addWidget(self.choices_error)
        choices_layout.addLayout(choice_buttons)

        self._inputs: dict[str, QWidget] = {
            "label_zh": self.label_zh_edit, "label_en": self.label_en_edit,
            "code": self.code_edit, "kind": self.kind_combo,
            "required": self.required_check, "default_value": self.default_edit,
            "group_name": self.group_combo,
        }
        titles = {
            "label_zh": self.tr("Label (Chinese)"),
            "label_en": self.tr("Label (English, optional)"),
            "code": self.tr("Code"), "kind": self.tr("Kind"), "required": self.tr("Required"),
            "default_value": self.tr("Default"), "group_name": self.tr("Group"),
        }
        form = QFormLayout()
        self._error_labels: dict[str, QLabel] = {"options": self.choices_error}
        for name, widget in self._inputs.items():
            cell = QVBoxLayout()
            cell.setSpacing(2)
            cell.addWidget(widget)
            cell.addWidget(self._error_label(name))
            row_label = QLabel(self.tr("{field}:").format(field=titles[name]), self)
            row_label.setBuddy(widget)
            form.addRow(row_label, cell)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("dialog_status")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setDefault(True)
        self.save_button.setToolTip(self.tr("Save the field (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.choices_box, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

        self.kind_combo.currentIndexChanged.connect(lambda _i: self._on_kind_changed())
        for name, widget in self._inputs.items():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda _t, n=name: self._clear_error(n))
        self.choices_table.itemChanged.connect(lambda _item: self._clear_error("options"))
        self.choices_table.itemChanged.connect(self._suggest_choice_code)
        if field is not None:
            self._fill(field)
        else:
            self.add_choice()
        self._on_kind_changed()
        self.resize(560, 620)

    # --- public ---------------------------------------------------------------------------

    def add_choice(self, code: str = "", zh: str = "", en: str = "") -> None:
        row = self.choices_table.rowCount()
        self.choices_table.insertRow(row)
        for column, text in enumerate((code, zh, en)):
            self.choices_table.setItem(row, column, QTableWidgetItem(text))

    def choices(self) -> tuple[Choice, ...]:
        result = []
        for row in range(self.choices_table.rowCount()):
            texts = []
            for column in range(3):
                item = self.choices_table.item(row, column)
                texts.append(item.text().strip() if item is not None else "")
            if any(texts):
                result.append(Choice(*texts))
        return tuple(result)

    def draft(self) -> FieldDraft:
        kind = CustomFieldKind(self.kind_combo.currentData())
        return FieldDraft(
            entity=self._entity, code=self.code_edit.text().strip(),
            label_zh=self.label_zh_edit.text(), label_en=self.label_en_edit.text(),
            kind=kind, required=self.required_check.isChecked(),
            default_value=self.default_edit.text().strip() or None,
            options=self.choices() if kind in CHOICE_KINDS else (),
            group_name=self.group_combo.currentText().strip() or None,
        )

    def error_text(self, name: str) -> str:
        return self._errors.get(name, "")

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        draft = self.draft()
        actor, field = self._ctx.actor, self._field
        fn: Callable[[Any], FieldDefinition]
        if field is None:
            fn = lambda uow: define_field(uow=uow, actor=actor, draft=draft)  # noqa: E731
        else:
            fn = lambda uow: edit_field(uow=uow, actor=actor, field_id=field.id,  # noqa: E731
                                        expected_version=field.version, draft=draft)
        self._clear_errors()
        self.save_button.setEnabled(False)
        self.status_label.setText(self.tr("Saving…"))
        self._ctx.run(fn, on_done=self._on_saved, on_error=self._on_failed, owner=self)

    # --- internals ------------------------------------------------------------------------

    def _on_code_edited(self, text: str) -> None:
        self._code_typed = bool(text)

    def _suggest_code(self) -> None:
        if self._code_typed:
            return
        label = self.label_en_edit.text().strip() or self.label_zh_edit.text().strip()
        self.code_edit.setText(unique_code(code_from_label(label), self._taken_codes)
                               if label else "")

    def _suggest_choice_code(self, item: QTableWidgetItem) -> None:
        """A choice named without a code gets one from its name (shown, editable)."""
        if item.column() == 0:
            return
        code_item = self.choices_table.item(item.row(), 0)
        if code_item is not None and code_item.text().strip():
            return
        name = (self._cell(item.row(), 2) or self._cell(item.row(), 1))
        if not name:
            return
        taken = {self._cell(r, 0) for r in range(self.choices_table.rowCount())}
        self.choices_table.setItem(item.row(), 0, QTableWidgetItem(
            unique_code(code_from_label(name), taken)))

    def _cell(self, row: int, column: int) -> str:
        item = self.choices_table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _fill(self, field: FieldDefinition) -> None:
        self.label_zh_edit.setText(field.label_zh)
        self.label_en_edit.setText(field.label_en)
        self.code_edit.setText(field.code)
        self.code_edit.setReadOnly(True)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(field.kind.value))
        self.required_check.setChecked(field.required)
        self.default_edit.setText(field.default_value or "")
        self.group_combo.setCurrentText(field.group_name or "")
        for choice in field.options:
            self.add_choice(choice.code, choice.zh, choice.en)

    def _on_kind_changed(self) -> None:
        kind = CustomFieldKind(self.kind_combo.currentData())
        self.choices_box.setVisible(kind in CHOICE_KINDS)
        hints = {
            CustomFieldKind.NUMBER: self.tr("e.g. 0"),
            CustomFieldKind.MONEY: self.tr("e.g. 0.00"),
            CustomFieldKind.DATE: self.tr("e.g. 2026-01-01"),
            CustomFieldKind.CHOICE: self.tr("the code of a choice"),
            CustomFieldKind.MULTI_CHOICE: self.tr("choice codes separated by |"),
            CustomFieldKind.BOOLEAN: self.tr("yes or no"),
        }
        self.default_edit.setPlaceholderText(hints.get(kind, self.tr("(none)")))

    def _remove_choice(self) -> None:
        row = self.choices_table.currentRow()
        if row >= 0:
            self.choices_table.removeRow(row)

    def _on_saved(self, field: FieldDefinition) -> None:
        self.status_label.setText("")
        self.saved.emit(field)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.status_label.setText(self.tr("Not saved: please correct the marked fields."))
            self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.show_validation(error.errors)
            return
        self.status_label.setText(self.tr("Not saved."))
        show_error(self, error)

    def show_validation(self, errors: dict[str, str]) -> None:
        choice_lines = []
        for name, message in errors.items():
            if name.startswith("options"):
                choice_lines.append(self._choice_message(name, message))
                continue
            self._errors[name] = message
            widget = self._inputs.get(name)
            if widget is not None:
                widget.setStyleSheet(f"{type(widget).__name__} {{ {FIELD_ERROR_STYLE} }}")
            label = self._error_labels.get(name)
            if label is not None:
                label.setText(message)
                label.show()
        if choice_lines:
            self._errors["options"] = "\n".join(choice_lines)
            self.choices_error.setText(self._errors["options"])
            self.choices_error.show()
        first = next((w for n, w in self._inputs.items() if n in self._errors), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _choice_message(self, name: str, message: str) -> str:
        if name == "options":
            return message
        # options[2].zh -> "Choice 3, Chinese: is required"
        index_text, _, column = name[len("options["):].partition("].")
        columns = {"code": self.tr("Code"), "zh": self.tr("Chinese"),
                   "en": self.tr("English")}
        return self.tr("Choice {row}, {column}: {message}").format(
            row=int(index_text) + 1, column=columns.get(column, column), message=message)

    def _error_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"{name}_error")
        label.setStyleSheet(f"color: {ERROR_COLOUR};")
        label.setWordWrap(True)
        label.hide()
        if hasattr(self, "_error_labels"):
            self._error_labels[name] = label
        return label

    def _clear_error(self, name: str) -> None:
        if self._errors.pop(name, None) is None:
            return
        widget = self._inputs.get(name)
        if widget is not None:
            widget.setStyleSheet("")
        self._error_labels[name].hide()

    def _clear_errors(self) -> None:
        for name in list(self._errors):
            self._clear_error(name)
        self.status_label.setStyleSheet("")


__all__ = ["CustomFieldDialog", "CustomFieldsDesigner", "entity_labels", "kind_labels"]
