"""A dialog that waits for its work: while ``busy`` (one transaction on the database
worker) it does not close — not by Esc, not by the window's close button — so the answer
of what was started is seen."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog


class BusyDialog(QDialog):
    """Set ``busy`` while the work runs; closing waits until it is cleared."""

    busy: bool = False

    def reject(self) -> None:
        if self.busy:
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)


__all__ = ["BusyDialog"]
