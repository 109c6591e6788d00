"""A short form in a dialog (a user, a department, a role's names, a new password): the
fields in a form layout, one line for what the service refused, Save and Cancel, Ctrl+S.

The record dialog is for records with a life of their own (a number, a state, moves); this
is for the settings-like ones that are typed, saved and closed. A subclass adds its rows
to ``form`` and implements :meth:`FormDialog.save` through :meth:`FormDialog.write`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import ValidationError
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.kit.changes import announce

ERROR_STYLE = "color: #c62828;"


class FormDialog(QDialog):
    """Signals: saved(object) — what the service returned; the change bus hears
    ``(record_kind, id)`` of it."""

    saved = Signal(object)
    record_kind = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None, *, name: str,
                 title: str, width: int = 400) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName(f"{name}_dialog")
        self.setWindowTitle(title)
        if self.record_kind:
            announce(ctx.changes, self.saved, self.record_kind)
        self.form = QFormLayout()
        self.errors = QLabel(self)
        self.errors.setObjectName(f"{name}_errors")
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet(ERROR_STYLE)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Save)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.errors)
        layout.addWidget(buttons)
        self.setMinimumWidth(width)

    def save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def write(self, call: Callable[[UnitOfWork], Any]) -> None:
        """Run the save on the worker; the dialog closes when it is stored."""
        if not self.save_button.isEnabled():
            return  # a save is on its way
        self.errors.clear()
        self.save_button.setEnabled(False)
        self._ctx.run(call, on_done=self._saved, on_error=self._failed, owner=self)

    def refuse(self, message: str) -> None:
        """Say what is wrong before asking the service (two passwords that differ)."""
        self.errors.setText(message)

    def _saved(self, result: Any) -> None:
        self.saved.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        """A refusal stays in the dialog with what was typed; anything else is a message."""
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.errors.setText(describe_error(error).text)
        else:
            show_error(self, error)
