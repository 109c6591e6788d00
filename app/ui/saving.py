"""Saving a form with its request key: "已保存" or "未保存，请重试", never a bare failure.

A form takes a key when it opens (``app.saving.new_request_key``) and saves through
:func:`save_keyed`. When the answer to a save is lost (the connection dropped before, during
or after COMMIT, or the person stopped waiting), the form stays open with what was typed, a
notice says the save is being checked, and once the server answers the station asks it by
the key: a saved record is fetched (the service returns it without writing again) and the
form finishes as after any save, with a note that it was saved; otherwise the person is
told it was not saved and may save again. Saving again with the same key never doubles the
record, even while an earlier attempt is still on its way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from app.saving import Abandoned, Next, NotSavedError, OutcomeUnknownError, after_failure
from app.services.requests import was_saved
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import show_error

log = logging.getLogger(__name__)

T = TypeVar("T")

CHECK_EVERY_MS = 3_000
# A check still running then is abandoned and asked again: it is one small read, after
# waiting for a save that still holds the key (requests.was_saved).
CHECK_GIVE_UP_MS = 5_000
CHECK_FOR_S = 600.0  # then the person is told it could not be checked (saving again is safe)


class KeyedSave(QObject):
    """One save with a request key, from the attempt to a definite answer.

    ``notice`` is the message box shown while the outcome is being checked (None otherwise);
    ``outcome`` ends as "saved", "confirmed" (the key proved it saved), "not_saved"
    (:class:`NotSavedError` to ``on_error``), "unchecked" (still no server after
    ``CHECK_FOR_S``: :class:`OutcomeUnknownError`) or "refused" (the service said no).
    """

    def __init__(self, ctx: AppContext, attempt: Callable[[UnitOfWork, str], T], key: str,
                 on_done: Callable[[T], Any], on_error: Callable[[BaseException], Any] | None,
                 owner: QWidget) -> None:
        super().__init__(owner)
        self._ctx = ctx
        self._attempt = attempt
        self._key = key
        self._on_done = on_done
        self._on_error = on_error
        self._owner = owner
        self._first_error: BaseException | None = None
        self._started_checking = 0.0
        self.notice: QMessageBox | None = None
        self.outcome: str | None = None

    def start(self) -> None:
        self._ctx.run(lambda uow: self._attempt(uow, self._key), on_done=self._saved,
                      on_error=self._failed, owner=self._owner)

    # --- outcomes -------------------------------------------------------------------------

    def _saved(self, value: Any) -> None:
        self.outcome = "saved"
        self._on_done(value)

    def _confirmed(self, value: Any) -> None:
        self.outcome = "confirmed"
        self._close_notice()
        self._on_done(value)
        _inform(self._owner, QCoreApplication.translate("Saving", "Saved"),
                QCoreApplication.translate(
                    "Saving", "Saved. The connection dropped while saving, but the record "
                    "had reached the server. Nothing was saved twice."))

    def _refused(self, error: BaseException, *, outcome: str = "refused") -> None:
        """A definite answer that nothing was saved (or an unknown one, after long enough):
        the form's error path shows it and lets the person save again."""
        self.outcome = outcome
        self._close_notice()
        if self._on_error is not None:
            self._on_error(error)
        else:
            show_error(self._owner, error)

    def _failed(self, error: BaseException) -> None:
        decision = after_failure(error)
        if decision is Next.REPORT:
            self._refused(error)
        elif decision is Next.REPLAY:
            self._fetch()
        else:
            log.warning("A save's outcome is unknown (%s); checking by its request key", error)
            self._first_error = error
            self._started_checking = time.monotonic()
            self._show_notice()
            self._check()

    # --- checking by the key --------------------------------------------------------------

    def _check(self) -> None:
        if not self._ctx.tasks.server_answers:
            # The connection monitor does not hear the server: asking now would only hang
            # in the same black hole. Ask once it answers again.
            self._check_failed(Abandoned("the server does not answer yet"))
            return
        actor = self._ctx.actor
        self._ctx.run(lambda uow: was_saved(uow=uow, actor=actor, key=self._key),
                      on_done=self._checked, on_error=self._check_failed, owner=self._owner,
                      give_up_after_ms=CHECK_GIVE_UP_MS)

    def _checked(self, found: tuple[str, int] | None) -> None:
        if found is None:
            self._refused(NotSavedError(self._first_error), outcome="not_saved")
            return
        self._fetch()

    def _check_failed(self, error: BaseException) -> None:
        if after_failure(error) is not Next.CHECK:
            self._refused(error)
            return
        if time.monotonic() - self._started_checking >= CHECK_FOR_S:
            self._refused(OutcomeUnknownError(self._first_error), outcome="unchecked")
            return
        QTimer.singleShot(CHECK_EVERY_MS, self, self._check)

    def _fetch(self) -> None:
        """The key saved a record: the service returns it without writing again."""
        self._ctx.run(lambda uow: self._attempt(uow, self._key), on_done=self._confirmed,
                      on_error=self._failed_after_saved, owner=self._owner)

    def _failed_after_saved(self, error: BaseException) -> None:
        if after_failure(error) is Next.CHECK:
            # Saved, but the record could not be read back yet: try again shortly.
            QTimer.singleShot(CHECK_EVERY_MS, self, self._fetch)
            return
        self._refused(error)

    # --- messages -------------------------------------------------------------------------

    def _show_notice(self) -> None:
        self.notice = QMessageBox(
            QMessageBox.Icon.Information,
            QCoreApplication.translate("Saving", "Checking the save"),
            QCoreApplication.translate(
                "Saving", "The connection dropped while saving. StationCRM is asking the "
                "server whether the record was saved and will tell you. What you typed "
                "stays on screen."), QMessageBox.StandardButton.NoButton, self._owner)
        self.notice.setObjectName("save_check_notice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWindowModality(Qt.WindowModality.WindowModal)
        self.notice.open()

    def _close_notice(self) -> None:
        if self.notice is not None:
            self.notice.done(0)
            self.notice.deleteLater()
            self.notice = None


def _inform(parent: QWidget, title: str, text: str) -> QMessageBox:
    # The form may close on success: the message belongs to its window's parent then.
    anchor = parent if parent.isVisible() else (parent.parentWidget() or parent)
    box = QMessageBox(QMessageBox.Icon.Information, title, text,
                      QMessageBox.StandardButton.Ok, anchor)
    box.setObjectName("save_confirmed_box")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def save_keyed(ctx: AppContext, attempt: Callable[[UnitOfWork, str], T], key: str, *,
               on_done: Callable[[T], Any],
               on_error: Callable[[BaseException], Any] | None = None,
               owner: QWidget) -> KeyedSave:
    """Save with ``attempt(uow, key)`` on the worker; ``on_done`` gets the saved record,
    also when the answer was lost and the key proved it saved. ``on_error`` gets refusals
    (validation, permission, conflict) and :class:`NotSavedError` /
    :class:`OutcomeUnknownError` after a lost answer; the form shows them and stays open."""
    save = KeyedSave(ctx, attempt, key, on_done, on_error, owner)
    save.start()
    return save
