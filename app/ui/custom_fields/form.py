"""The custom fields of a record as form widgets, built from the definitions at run time.

``CustomFieldsForm(definitions, parent)`` renders each field by its kind, grouped by
``group_name`` (one box per group, ungrouped fields first) in ``position`` order, labels in
the interface language with a red * on required fields. ``values()`` gives what the
record's service takes (``custom=...``); ``set_values()`` shows stored values;
``show_errors()`` marks the fields a ValidationError names (``custom.<code>``).
``check()`` applies the service's own rules (custom_fields.check_values) before saving.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import current_language
from app.models.enums import CustomFieldKind
from app.services.custom_fields import (
    FIELD_PREFIX,
    FieldDefinition,
    check_values,
    plain_number,
)
from app.services.errors import ValidationError

FIELD_ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"
ERROR_COLOUR = "#b00020"
REQUIRED_COLOUR = "#c62828"
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# QDateEdit has no empty state: its minimum date, shown as blank, stands for "no date".
_NO_DATE = QDate(1900, 1, 1)
_NUMBER = QRegularExpression(r"^-?[0-9,]*\.?[0-9]*$")


class CustomFieldsForm(QWidget):
    """Widgets for a record's custom fields.

    Signals:
        edited(str): the user changed the field with this code.
        leave_forward(): Enter in the last field (the owner moves on from the form).
    """

    edited = Signal(str)
    leave_forward = Signal()

    def __init__(self, definitions: Sequence[FieldDefinition] = (),
                 parent: QWidget | None = None, *, language: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("custom_fields_form")
        self._language = language
        self._definitions: tuple[FieldDefinition, ...] = ()
        self._widgets: dict[str, QWidget] = {}
        self._labels: dict[str, QLabel] = {}
        self._error_labels: dict[str, QLabel] = {}
        self._errors: dict[str, str] = {}
        self._filling = False
        probe = QLineEdit()
        self._row_height = probe.sizeHint().height()
        probe.deleteLater()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._content: QWidget | None = None
        self.set_definitions(definitions)

    # --- public ---------------------------------------------------------------------------

    @property
    def definitions(self) -> tuple[FieldDefinition, ...]:
        return self._definitions

    def language(self) -> str:
        return self._language or current_language()

    def set_definitions(self, definitions: Sequence[FieldDefinition]) -> None:
        """Rebuild the widgets for ``definitions`` (active ones, in position order)."""
        definitions = tuple(sorted((d for d in definitions if d.active),
                                   key=lambda d: (d.position, d.id)))
        if definitions == self._definitions and self._content is not None:
            return
        self._definitions = definitions
        if self._content is not None:
            self._layout.removeWidget(self._content)
            self._content.deleteLater()
        self._widgets.clear()
        self._labels.clear()
        self._error_labels.clear()
        self._errors.clear()
        self._content = QWidget(self)
        outer = QVBoxLayout(self._content)
        outer.setContentsMargins(0, 0, 0, 0)
        groups: dict[str | None, list[FieldDefinition]] = {}
        for d in definitions:
            groups.setdefault(d.group_name or None, []).append(d)
        # Groups (and the ungrouped fields) in the order of their first field.
        ordered = list(groups.items())
        for name, fields in ordered:
            if name is None:
                holder: QWidget = QWidget(self._content)
                holder.setObjectName("custom_group_")
            else:
                holder = QGroupBox(name, self._content)
                holder.setObjectName(f"custom_group_{name}")
            grid = QGridLayout(holder)
            if name is None:
                grid.setContentsMargins(0, 0, 0, 0)
            grid.setHorizontalSpacing(10)
            grid.setVerticalSpacing(6)
            grid.setColumnStretch(1, 1)
            for row, d in enumerate(fields):
                self._add_field(grid, row, d, holder)
            outer.addWidget(holder)
        outer.addStretch(1)
        self._layout.addWidget(self._content)
        self.set_values({})

    def entry_widgets(self) -> list[QWidget]:
        """The input widgets in the order Enter and Tab walk them."""
        return [self._widgets[d.code] for d in self._definitions]

    def field_widget(self, code: str) -> QWidget:
        return self._widgets[code]

    def field_label(self, code: str) -> QLabel:
        return self._labels[code]

    def error_label(self, code: str) -> QLabel:
        return self._error_labels[code]

    def field_error(self, code: str) -> str:
        return self._errors.get(code, "")

    def has_errors(self) -> bool:
        return bool(self._errors)

    def values(self) -> dict[str, Any]:
        """``{code: value}`` as the record's service takes it (``custom=...``)."""
        return {d.code: self._value(d) for d in self._definitions}

    def set_values(self, values: Mapping[str, object], *, defaults: bool = False) -> None:
        """Show ``values``; fields not given are emptied (or get their default)."""
        self._filling = True
        try:
            for d in self._definitions:
                value = values.get(d.code)
                if value is None and defaults:
                    value = d.default()
                self._show(d, value)
        finally:
            self._filling = False
        self.clear_errors()

    def check(self) -> bool:
        """Apply the service's rules to what is typed; mark the wrong fields."""
        try:
            check_values(self._definitions, self.values(), language=self.language())
        except ValidationError as error:
            self.show_errors(error.errors)
            return False
        self.clear_errors()
        return True

    def show_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Mark the fields named ``custom.<code>`` in ``errors``; returns the ones not here."""
        self.clear_errors()
        others = {}
        for key, message in errors.items():
            code = key[len(FIELD_PREFIX):] if key.startswith(FIELD_PREFIX) else None
            if code is None or code not in self._widgets:
                others[key] = message
                continue
            self._errors[code] = message
            widget = self._widgets[code]
            widget.setStyleSheet(f"{type(widget).__name__} {{ {FIELD_ERROR_STYLE} }}")
            widget.setToolTip(message)
            label = self._error_labels[code]
            label.setText(message)
            label.show()
        return others

    def clear_errors(self) -> None:
        for code in list(self._errors):
            self._clear_error(code)

    def focus_first_error(self) -> bool:
        for d in self._definitions:
            if d.code in self._errors:
                self._focus(self._widgets[d.code])
                return True
        return False

    def focus_first(self) -> bool:
        widgets = self.entry_widgets()
        if not widgets:
            return False
        self._focus(widgets[0])
        return True

    # --- building -------------------------------------------------------------------------

    def _add_field(self, grid: QGridLayout, row: int, d: FieldDefinition,
                   parent: QWidget) -> None:
        widget = self._make_widget(d, parent)
        widget.setObjectName(f"custom_{d.code}")
        widget.installEventFilter(self)
        self._widgets[d.code] = widget
        text = html.escape(d.label(self.language()))
        if d.required:
            text += f' <span style="color:{REQUIRED_COLOUR}">*</span>'
        label = QLabel(self.tr("{field}:").format(field=text), parent)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setObjectName(f"custom_{d.code}_label")
        label.setBuddy(widget)
        if d.required:
            label.setToolTip(self.tr("Required"))
        self._labels[d.code] = label
        # Level with the first line of its widget, as on the rest of the card.
        label.setMinimumHeight(self._row_height)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        error = QLabel(parent)
        error.setObjectName(f"custom_{d.code}_error")
        error.setStyleSheet(f"color: {ERROR_COLOUR};")
        error.setWordWrap(True)
        error.hide()
        self._error_labels[d.code] = error
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addWidget(widget)
        cell.addWidget(error)
        grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(cell, row, 1)

    def _make_widget(self, d: FieldDefinition, parent: QWidget) -> QWidget:
        kind = d.kind
        code = d.code
        if kind is CustomFieldKind.MULTILINE:
            edit = QPlainTextEdit(parent)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 12)
            edit.textChanged.connect(lambda: self._on_edited(code))
            return edit
        if kind in (CustomFieldKind.NUMBER, CustomFieldKind.MONEY):
            line = QLineEdit(parent)
            line.setValidator(QRegularExpressionValidator(_NUMBER, line))
            line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            line.setMaximumWidth(220)
            if kind is CustomFieldKind.MONEY:
                line.setPlaceholderText(self.tr("yuan, e.g. 1200.00"))
            line.textChanged.connect(lambda _t: self._on_edited(code))
            return line
        if kind is CustomFieldKind.DATE:
            date = QDateEdit(parent)
            date.setCalendarPopup(True)
            date.setDisplayFormat("yyyy-MM-dd")
            date.setMinimumDate(_NO_DATE)
            date.setMaximumDate(QDate(2200, 12, 31))
            date.setSpecialValueText(" ")  # the minimum date shows as blank: no date
            date.setMaximumWidth(220)
            date.setToolTip(self.tr("Type a date as 2026-11-26; Delete empties it"))
            date.dateChanged.connect(lambda _d: self._on_edited(code))
            return date
        if kind is CustomFieldKind.CHOICE:
            combo = QComboBox(parent)
            combo.addItem(self.tr("(none)") if not d.required else self.tr("(choose)"), None)
            for choice in d.options:
                combo.addItem(choice.label(self.language()), choice.code)
            combo.currentIndexChanged.connect(lambda _i: self._on_edited(code))
            return combo
        if kind is CustomFieldKind.MULTI_CHOICE:
            items = QListWidget(parent)
            items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            for choice in d.options:
                item = QListWidgetItem(choice.label(self.language()), items)
                item.setData(Qt.ItemDataRole.UserRole, choice.code)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                              | Qt.ItemFlag.ItemIsSelectable)
                item.setCheckState(Qt.CheckState.Unchecked)
            rows = min(max(len(d.options), 1), 5)
            items.setFixedHeight(items.sizeHintForRow(0) * rows + 2 * items.frameWidth() + 4)
            items.setToolTip(self.tr("Space ticks or unticks a choice"))
            items.itemChanged.connect(lambda _item: self._on_edited(code))
            return items
        if kind is CustomFieldKind.BOOLEAN:
            box = QCheckBox(self.tr("Yes"), parent)
            box.toggled.connect(lambda _c: self._on_edited(code))
            return box
        line = QLineEdit(parent)
        line.setMaxLength(400)
        line.textChanged.connect(lambda _t: self._on_edited(code))
        return line

    # --- values ---------------------------------------------------------------------------

    def _value(self, d: FieldDefinition) -> Any:
        widget = self._widgets[d.code]
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText().strip() or None
        if isinstance(widget, QDateEdit):
            day = widget.date()
            if day == widget.minimumDate() or not day.isValid():
                return None
            return dt.date(day.year(), day.month(), day.day())
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QListWidget):
            picked = tuple(widget.item(i).data(Qt.ItemDataRole.UserRole)
                           for i in range(widget.count())
                           if widget.item(i).checkState() == Qt.CheckState.Checked)
            return picked or None
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QLineEdit):
            text = widget.text().strip()
            if d.kind in (CustomFieldKind.NUMBER, CustomFieldKind.MONEY):
                text = text.replace(",", "")
            return text or None
        return None

    def _show(self, d: FieldDefinition, value: object) -> None:
        widget = self._widgets[d.code]
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText("" if value is None else str(value))
        elif isinstance(widget, QDateEdit):
            if isinstance(value, dt.date):
                widget.setDate(QDate(value.year, value.month, value.day))
            else:
                widget.setDate(widget.minimumDate())
        elif isinstance(widget, QComboBox):
            index = widget.findData(value) if value is not None else 0
            widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QListWidget):
            codes = set(value) if isinstance(value, tuple | list | set) else (
                {value} if value else set())
            for i in range(widget.count()):
                item = widget.item(i)
                item.setCheckState(Qt.CheckState.Checked
                                   if item.data(Qt.ItemDataRole.UserRole) in codes
                                   else Qt.CheckState.Unchecked)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QLineEdit):
            if isinstance(value, Decimal):
                text = (f"{value:.2f}" if d.kind is CustomFieldKind.MONEY
                        else plain_number(value))
            else:
                text = "" if value is None else str(value)
            widget.setText(text)

    # --- errors, keyboard -----------------------------------------------------------------

    def _on_edited(self, code: str) -> None:
        if self._filling:
            return
        self._clear_error(code)
        self.edited.emit(code)

    def _clear_error(self, code: str) -> None:
        if code not in self._errors:
            return
        del self._errors[code]
        widget = self._widgets[code]
        widget.setStyleSheet("")
        widget.setToolTip("")
        self._error_labels[code].hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter moves to the next field (in a multi-line field: Ctrl+Enter); Delete
        empties a date."""
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Delete and isinstance(watched, QDateEdit)):
            watched.setDate(watched.minimumDate())
            return True
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in _ENTER_KEYS and isinstance(watched, QWidget)):
            if isinstance(watched, QComboBox) and watched.view().isVisible():
                return False
            if (isinstance(watched, QPlainTextEdit)
                    and not event.modifiers() & Qt.KeyboardModifier.ControlModifier):
                return False
            widgets = self.entry_widgets()
            if watched in widgets:
                index = widgets.index(watched)
                if index + 1 < len(widgets):
                    self._focus(widgets[index + 1])
                else:
                    self.leave_forward.emit()
                return True
        return super().eventFilter(watched, event)

    def _focus(self, widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()


__all__ = ["CustomFieldsForm"]
