"""The record dialog every form is built on: header, busy state, field errors, keep-open,
what a refused or failed save shows, and the change bus after a write.

A form fills in its fields, ``reload`` (read the record on the worker, then ``_fill``) and
its writes, each through :meth:`RecordDialog.write`: busy while it runs; on success the
form shows the saved record and emits ``saved``, which the change bus hears as
``(record_kind, id)``; a :class:`ValidationError` puts each message at its field; anything
else keeps what was typed and says so (a conflict reads the record again).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from enum import Enum
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import ConflictError, ValidationError
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.kit.fields import ERROR_COLOUR, clear_field_error, error_label, show_field_error

D = TypeVar("D", bound=QDialog)
E = TypeVar("E", bound=Enum)

# Dialogs opened without a parent: Python must hold them until they close.
_parentless: set[QDialog] = set()


def keep_open(dialog: D) -> D:
    """Show ``dialog`` (with ``show()``, never ``exec()``), holding it while it is open."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if dialog.parent() is None:
        _parentless.add(dialog)
        dialog.finished.connect(lambda _r: _parentless.discard(dialog))
    dialog.show()
    dialog.activateWindow()
    return dialog


def header_label(parent: QWidget) -> QLabel:
    """The record's number at the top of its dialog, bold and a little larger."""
    label = QLabel(parent)
    label.setObjectName("number_label")
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    return label


class RecordDialog(QDialog):
    """Base of every record form (a record loaded and saved on the worker).

    Signals:
        saved(object): the record as saved, after any successful write from this dialog.
    """

    saved = Signal(object)
    # The change bus kind this dialog's writes publish ("order", "ticket", …).
    record_kind = ""

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
        # Whatever a form saves, the open screens hear of it (subclasses only emit saved).
        self.saved.connect(self._announce)

    # --- building -----------------------------------------------------------------------------

    def lifecycle_buttons(self, targets: Iterable[E], label: Callable[[E], str]
                     ) -> dict[E, QPushButton]:
        """One button per lifecycle move (``to_<state>_button``), each calling
        ``self.move_to(target)``."""
        buttons: dict[E, QPushButton] = {}
        for target in targets:
            button = QPushButton(label(target), self)
            button.setObjectName(f"to_{target.value}_button")
            button.clicked.connect(lambda _c=False, t=target: self.move_to(t))
            buttons[target] = button
        return buttons

    def make_save_button(self, text: str = "", name: str = "save_button") -> QPushButton:
        """The form's Save button; Ctrl+S presses it from anywhere in the form."""
        button = QPushButton(text or self.tr("Save"), self)
        button.setObjectName(name)
        button.setToolTip(QKeySequence(QKeySequence.StandardKey.Save).toString(
            QKeySequence.SequenceFormat.NativeText))
        button.clicked.connect(self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        return button

    def save(self) -> None:  # pragma: no cover - overridden where used
        raise NotImplementedError

    def move_to(self, target: Any) -> None:  # pragma: no cover - overridden where used
        raise NotImplementedError

    @staticmethod
    def header_row(*widgets: QWidget) -> QHBoxLayout:
        """The top line: the record's number, its state and any badges, to the left."""
        row = QHBoxLayout()
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def place_actions(self, actions: Iterable[QPushButton],
                      end: Iterable[QPushButton] = ()) -> None:
        """The bottom line: the record's actions, a gap, then ``end`` and Close. None of
        them is the default button: Enter belongs to the fields."""
        actions, end = list(actions), [*end, self.close_button]
        for button in (*actions, *end):
            button.setAutoDefault(False)
            button.setDefault(False)
        for button in actions:
            self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)
        for button in end:
            self.actions_row.addWidget(button)

    @property
    def is_busy(self) -> bool:
        return self._busy

    def _print_shortcut(self) -> None:
        if self.print_button.isVisible() and self.print_button.isEnabled():
            self.print_button.click()

    # --- fields -------------------------------------------------------------------------------

    def register_field(self, field: str, label: QLabel, widget: QWidget | None) -> None:
        self._fields[field] = (label, widget)

    def add_field_row(self, form: QFormLayout, field: str, title: str,
                      content: QWidget | QLayout, marked: QWidget | None = None) -> QLabel:
        """A form row: ``content`` with the field's error line under it, registered for
        :meth:`place_errors`. ``marked`` is the widget outlined on an error (by default
        ``content`` when it is a widget)."""
        label = error_label(field, self)
        box = QVBoxLayout()
        box.setSpacing(2)
        if isinstance(content, QLayout):
            box.addLayout(content)
        else:
            box.addWidget(content)
        box.addWidget(label)
        form.addRow(title, box)
        if marked is None and isinstance(content, QWidget):
            marked = content
        self.register_field(field, label, marked)
        return label

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

    # --- state --------------------------------------------------------------------------------

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

    # --- writing ------------------------------------------------------------------------------

    def write(self, call: Callable[[UnitOfWork], Any], on_done: Callable[[Any], None], *,
              busy_text: str = "", refused: Callable[[BaseException], None] | None = None,
              ) -> None:
        """Run one write on the worker: errors cleared, busy while it runs; ``on_done``
        shows the result (and emits ``saved``); a failure goes to ``refused`` (default:
        field errors for a refusal, a message for anything else)."""
        if self._busy:
            return
        self.clear_errors()
        self.set_busy(True, busy_text or self.tr("Saving…"))
        self._ctx.run(call, on_done=on_done, on_error=refused or self._on_save_failed,
                      owner=self)

    def _announce(self, result: Any) -> None:
        """Tell the open screens (the change bus) that this dialog's record changed."""
        if self.record_kind:
            self._ctx.changes.publish(self.record_kind, getattr(result, "id", None))

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
