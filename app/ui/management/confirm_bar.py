"""Confirm / Return… buttons for a record opened from the confirmation queue (确认队列).

The record dialogs (visit, repair record) put this bar under what they show when management
opens them from the queue, so the person reads the record and decides in the same window.
The version sent is the one the dialog loaded: a change made meanwhile is a conflict.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.confirmation import (
    ConfirmationResult,
    RecordKind,
    confirm_record,
    return_record,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.management.dialogs import TextPromptDialog, changed_kind, open_text_prompt
from app.ui.record_labels import kind_label


class ConfirmBar(QWidget):
    """Return… (Ctrl+R) and Confirm (Ctrl+Enter) for one submitted record.

    Call :meth:`set_record` once the dialog has loaded the record. Signals:
    decided(ConfirmationResult) after a confirm or a return.
    """

    decided = Signal(object)

    def __init__(self, ctx: AppContext, kind: RecordKind, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("confirm_bar")
        self._ctx = ctx
        self._kind = RecordKind(kind)
        self._record: tuple[int, int, str, str] | None = None  # id, version, author, context
        self.prompt: TextPromptDialog | None = None
        self.message_label = QLabel(self)
        self.message_label.setObjectName("confirm_bar_message")
        self.message_label.setWordWrap(True)
        self.return_button = QPushButton(self.tr("Return…"), self)
        self.return_button.setObjectName("confirm_bar_return")
        self.return_button.setToolTip("Ctrl+R")
        self.return_button.setAutoDefault(False)
        self.return_button.clicked.connect(self.return_record)
        self.confirm_button = QPushButton(self.tr("Confirm"), self)
        self.confirm_button.setObjectName("confirm_bar_confirm")
        self.confirm_button.setToolTip("Ctrl+Enter")
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.clicked.connect(self.confirm)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), parent).activated.connect(self.confirm)
        QShortcut(QKeySequence("Ctrl+R"), parent).activated.connect(self.return_record)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message_label, 1)
        layout.addWidget(self.return_button)
        layout.addWidget(self.confirm_button)
        self.set_record(None)

    def set_record(self, record_id: int | None, version: int = 0, *, author: str = "",
                   context: str = "") -> None:
        """The record to decide on (None: nothing to decide, the bar hides)."""
        self._record = (record_id, version, author, context) if record_id is not None else None
        self.setVisible(self._record is not None)
        self._enable(self._record is not None)

    @property
    def active(self) -> bool:
        return self._record is not None and not self.isHidden()

    def confirm(self) -> None:
        if not self.active or not self.confirm_button.isEnabled():
            return
        assert self._record is not None
        record_id, version, _author, _context = self._record
        actor, kind = self._ctx.actor, self._kind
        self._enable(False)
        self.message_label.setText(self.tr("Saving…"))
        self._ctx.run(lambda uow: confirm_record(uow=uow, actor=actor, kind=kind,
                                                 record_id=record_id,
                                                 expected_version=version),
                      on_done=self._confirmed, on_error=self._failed, owner=self)

    def return_record(self) -> TextPromptDialog | None:
        if not self.active or not self.return_button.isEnabled():
            return None
        assert self._record is not None
        record_id, version, author, context = self._record
        actor, kind = self._ctx.actor, self._kind

        def action(uow: Any, text: str) -> ConfirmationResult:
            return return_record(uow=uow, actor=actor, kind=kind, record_id=record_id,
                                 expected_version=version, comment=text)

        dialog = open_text_prompt(
            self._ctx, self.window(), title=self.tr("Return to the author"),
            prompt=self.tr("What should {author} correct?").format(author=author),
            context=f"{kind_label(kind.value)} · {context}" if context else "",
            field="comment", button=self.tr("Return"), action=action,
            record_kind=changed_kind(kind))  # the prompt announces the return itself
        dialog.saved.connect(self._decided)
        self.prompt = dialog
        return dialog

    def _confirmed(self, result: ConfirmationResult) -> None:
        # The queue and the author's to-do list read again (the change bus).
        self._ctx.changes.publish(changed_kind(result.kind), result.id)
        self._decided(result)

    def _decided(self, result: ConfirmationResult) -> None:
        self.message_label.setText("")
        self.set_record(None)
        self.decided.emit(result)

    def _failed(self, error: BaseException) -> None:
        self._enable(True)
        self.message_label.setText(describe_error(error).text)
        self.message_label.setStyleSheet("color: #b00020;")
        show_error(self, error)

    def _enable(self, enabled: bool) -> None:
        self.confirm_button.setEnabled(enabled)
        self.return_button.setEnabled(enabled)


__all__ = ["ConfirmBar"]
