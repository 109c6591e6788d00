"""What the user sees when something fails: a clear message, never a traceback."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import __version__, i18n
from app.db import DatabaseUnavailable
from app.logs import current_log_file
from app.saving import Abandoned, NotSavedError, OutcomeUnknownError
from app.services.errors import (
    AuthenticationFailed,
    ConflictError,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationError,
)

log = logging.getLogger(__name__)

# Message boxes without a parent window: Python must hold them, or they vanish at once.
_parentless: set[QMessageBox] = set()

ErrorKind = Literal["database", "service", "internal"]


@dataclass(frozen=True)
class UserMessage:
    """An error as people read it; ``details`` is for the administrator, shown collapsed."""

    kind: ErrorKind
    title: str
    text: str
    details: str = ""


def describe_error(error: BaseException) -> UserMessage:
    """Turn any exception into a message: database and service errors speak for themselves."""
    if isinstance(error, DatabaseUnavailable):
        return UserMessage(
            kind="database",
            title=QCoreApplication.translate("Errors", "Database unavailable"),
            text=error.message_for(i18n.current_language()),
            details=error.detail,
        )
    if isinstance(error, ServiceError):
        return UserMessage(kind="service", title=_service_title(error), text=str(error))
    if isinstance(error, Abandoned):
        return UserMessage(
            kind="database",
            title=QCoreApplication.translate("Errors", "Stopped waiting"),
            text=QCoreApplication.translate(
                "Errors", "You stopped waiting for the server's answer. Try again once the "
                "connection is back."))
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    log_file = current_log_file()
    if log_file is None:
        text = QCoreApplication.translate(
            "Errors",
            "Something went wrong and the action was not completed. If it happens again, "
            "copy the details and send them to the administrator.")
    else:
        text = QCoreApplication.translate(
            "Errors",
            "Something went wrong and the action was not completed. The error was written "
            "to the log file {path}; if it happens again, copy the details and send them "
            "to the administrator.").format(path=log_file)
    return UserMessage(
        kind="internal",
        title=QCoreApplication.translate("Errors", "Unexpected error"),
        text=text,
        details=details.strip(),
    )


def _service_title(error: ServiceError) -> str:
    if isinstance(error, AuthenticationFailed):
        return QCoreApplication.translate("Errors", "Login failed")
    if isinstance(error, PermissionDenied):
        return QCoreApplication.translate("Errors", "Not permitted")
    if isinstance(error, ValidationError):
        return QCoreApplication.translate("Errors", "Please check your input")
    if isinstance(error, ConflictError):
        return QCoreApplication.translate("Errors", "Changed by someone else")
    if isinstance(error, NotFound):
        return QCoreApplication.translate("Errors", "Not found")
    if isinstance(error, NotSavedError):
        return QCoreApplication.translate("Errors", "Not saved")
    if isinstance(error, OutcomeUnknownError):
        return QCoreApplication.translate("Errors", "Not confirmed")
    return QCoreApplication.translate("Errors", "Cannot do that")


def _copy_details(box: QMessageBox, message: UserMessage) -> None:
    log_file = current_log_file()
    QApplication.clipboard().setText("\n".join(filter(None, [
        f"StationCRM {__version__}", f"log: {log_file}" if log_file else "",
        message.text, message.details])))
    box.setInformativeText(QCoreApplication.translate("Errors", "Copied to the clipboard."))


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """Show ``error`` in a window-modal message box (opened with ``open()``, not ``exec()``)."""
    parent = parent or QApplication.activeWindow()
    message = describe_error(error)
    icon = QMessageBox.Icon.Critical if message.kind == "internal" else QMessageBox.Icon.Warning
    box = QMessageBox(icon, message.title, message.text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("error_message_box")
    box.setTextFormat(Qt.TextFormat.PlainText)
    if message.details:
        box.setDetailedText(message.details)  # collapsed behind "Show Details..."
    if message.kind == "internal":
        copy = box.addButton(QCoreApplication.translate("Errors", "Copy details"),
                             QMessageBox.ButtonRole.ActionRole)
        copy.setObjectName("copy_details_button")
        # An action button would close the box: keep it open, copy, and say so.
        copy.clicked.disconnect()
        copy.clicked.connect(lambda: _copy_details(box, message))
        # With two buttons Qt knows no Escape button: the window's close box and Esc would
        # do nothing. They mean OK.
        box.setEscapeButton(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        _parentless.add(box)
        box.finished.connect(lambda _result: _parentless.discard(box))
    box.open()
    return box
