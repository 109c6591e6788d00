"""What the walk-in page and the visit dialog share: kinds, follow-up dates, field errors."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from app.models.enums import CustomerSource, VisitKind
from app.ui import record_labels

ERROR_COLOUR = "#b00020"
KIND_SOURCES = {
    VisitKind.WALK_IN: CustomerSource.WALK_IN,
    VisitKind.PHONE: CustomerSource.PHONE,
    VisitKind.VISIT: CustomerSource.VISIT,
}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SHORT_DATE = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def kind_label(kind: VisitKind | str) -> str:
    return record_labels.reference_label("visit", str(getattr(kind, "value", kind)))


def kind_combo(parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    for kind in VisitKind:
        combo.addItem(kind_label(kind), kind.value)
    return combo


def follow_up_value(text: str, today: dt.date) -> dt.date | str | None:
    """The follow-up date typed: empty → None; "3" → in three days; "5-20" → the next
    20 May; 2024-05-20, 2024/5/20, 2024年5月20日 or 20240520. Anything else is passed on
    as typed, and the service names the field."""
    text = text.strip()
    if not text:
        return None
    if text.lstrip("+").isdigit() and len(text.lstrip("+")) <= 3:
        return today + dt.timedelta(days=int(text.lstrip("+")))
    match = _DATE.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        short = _SHORT_DATE.match(text)
        if short:
            day = dt.date(today.year, int(short[1]), int(short[2]))
            return day if day >= today else day.replace(year=today.year + 1)
    except ValueError:
        return text
    return text


class FieldBox(QWidget):
    """A form field with its error line underneath (hidden until the service names it)."""

    def __init__(self, field: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        field.setParent(self)
        layout.addWidget(field)
        layout.addWidget(self.error_label)
        self.setFocusProxy(field)

    def set_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        self.field.setProperty("error", bool(message))
        self.field.setStyleSheet(f"border: 1px solid {ERROR_COLOUR};" if message else "")

    @property
    def error(self) -> str:
        return self.error_label.text() if self.error_label.isVisible() else ""

