"""The custom fields (自定义字段) of one contact or device row of the customer card.

The card's contact and device tables hold their own columns; the fields an administrator
adds to contacts and devices are edited here, one row at a time. "Apply" checks them with
the service's rules and hands the values back to the card, which saves them with the
customer (Ctrl+S on the card); nothing is written to the database from this dialog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.custom_fields import FieldDefinition
from app.ui.custom_fields.form import CustomFieldsForm


class ChildCustomFieldsDialog(QDialog):
    """Edit the custom fields of one contact or device.

    Keys: Enter walks the fields (Enter in the last one applies), Ctrl+S applies, Esc
    cancels.

    Signals:
        applied(dict): the values by code, checked; the card keeps them for saving.
    """

    applied = Signal(dict)

    def __init__(self, definitions: Sequence[FieldDefinition], values: Mapping[str, Any],
                 title: str, parent: QWidget | None = None, *,
                 errors: Mapping[str, str] | None = None, defaults: bool = False,
                 read_only: bool = False, language: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("child_custom_dialog")
        self.setWindowTitle(title)
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("child_custom_title")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.form = CustomFieldsForm(definitions, self, language=language)
        self.form.set_values(values, defaults=defaults)
        if errors:
            self.form.show_errors(errors)
        self.form.setEnabled(not read_only)
        self.form.leave_forward.connect(self.accept)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.form)
        self.apply_button = QPushButton(self.tr("Apply"), self)
        self.apply_button.setObjectName("apply_button")
        self.apply_button.setToolTip(self.tr("Keep these values; they are saved with the "
                                             "customer card (Ctrl+S)"))
        self.apply_button.setAutoDefault(False)
        self.apply_button.setEnabled(not read_only)
        self.apply_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        rows = max(len(self.form.definitions), 1)
        self.resize(460, min(160 + rows * 44, 560))
        self._read_only = read_only

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if not self.form.focus_first_error():
            self.form.focus_first()

    def accept(self) -> None:
        """Check the values with the service's rules; keep the dialog open when wrong."""
        if self._read_only:
            self.reject()
            return
        if not self.form.check():
            self.form.focus_first_error()
            return
        self.applied.emit(self.form.values())
        super().accept()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        # Enter belongs to the form (it walks the fields); never a default button.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)


__all__ = ["ChildCustomFieldsDialog"]
