"""What the quotation and order dialogs share: header, busy state, field errors, status row."""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.errors import ConflictError, ValidationError
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.sales.common import ERROR_COLOUR, clear_field_error, show_field_error

# Dialogs opened without a parent: Python must hold them until they close.
_parentless: set[QDialog] = set()


def keep_open(dialog: QDialog) -> None:
    """Show ``dialog`` (with ``show()``, never ``exec()``), holding it while it is open."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if dialog.parent() is None:
        _parentless.add(dialog)
        dialog.finished.connect(lambda _r: _parentless.discard(dialog))
    dialog.show()
    dialog.activateWindow()


class SalesDialog(QDialog):
    """Base of the quotation, order, contract and opportunity dialogs (a record loaded on the
    worker): fields with their errors, busy state, status row, and what a refused save shows."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._busy = False
        self._fields: dict[str, tuple[QLabel, QWidget | None]] = {}
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status_message")
        self.status_label.setWordWrap(True)
        self.print_button = QPushButton(self.tr("Print…"), self)
        self.print_button.setObjectName("print_button")
        self.print_button.setToolTip(QKeySequence(QKeySequence.StandardKey.Print).toString(
            QKeySequence.SequenceFormat.NativeText))
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("close_button")
        self.close_button.clicked.connect(self.reject)
        self.actions_row = QHBoxLayout()
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self._print_shortcut)

    @property
    def is_busy(self) -> bool:
        return self._busy

    def _print_shortcut(self) -> None:
        if self.print_button.isVisible() and self.print_button.isEnabled():
            self.print_button.click()

    def register_field(self, field: str, label: QLabel, widget: QWidget | None) -> None:
        self._fields[field] = (label, widget)

    def field_error(self, field: str) -> str:
        label = self._fields.get(field, (None, None))[0]
        return label.text() if label is not None and label.isVisible() else ""

    def clear_errors(self) -> None:
        for label, widget in self._fields.values():
            clear_field_error(label, widget)

    def place_errors(self, errors: dict[str, str]) -> list[str]:
        """Show each error at its field; returns the messages no field took."""
        unplaced = []
        for field, message in errors.items():
            if field in self._fields:
                label, widget = self._fields[field]
                show_field_error(label, widget, message)
            else:
                unplaced.append(f"{field}: {message}")
        return unplaced

    def set_busy(self, busy: bool, message: str = "", *, error: bool = False) -> None:
        self._busy = busy
        self.set_status(message, error=error)
        self.update_actions()

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")

    def update_actions(self) -> None:  # pragma: no cover - overridden
        pass

    def reload(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _place_line_errors(self, errors: dict[str, str]) -> Collection[str]:
        """Show the errors that belong inside a lines table; the fields they name."""
        return ()

    def _on_save_failed(self, error: BaseException) -> None:
        """A refused save: each message at its field, the rest in the status row."""
        if not isinstance(error, ValidationError):
            self._on_action_failed(error)
            return
        self.set_busy(False)
        placed = self._place_line_errors(error.errors)
        unplaced = self.place_errors(
            {k: v for k, v in error.errors.items() if k not in placed})
        text = self.tr("Not saved: please correct the marked fields.")
        if unplaced:
            text += " " + "; ".join(unplaced)
        self.set_status(text, error=True)

    def _on_action_failed(self, error: BaseException) -> None:
        """Any other failure: say so, keep what was typed, reload after a conflict."""
        self.set_busy(False, self.tr("Not saved. What you typed is still here."), error=True)
        show_error(self, error)
        if isinstance(error, ConflictError) and getattr(self, "_view", None) is not None:
            self.reload()
