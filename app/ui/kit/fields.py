"""Field helpers of every form: the red message under a field, amounts typed by people."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtWidgets import QLabel, QWidget

FIELD_ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"
ERROR_COLOUR = "#b00020"


def parse_decimal(text: str) -> Decimal | None:
    """``"1,234.5"`` or ``"¥12"`` → Decimal; None when it is not a number."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("%", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def error_label(name: str, parent: QWidget) -> QLabel:
    """A hidden red label under a field, shown with the service's message."""
    label = QLabel(parent)
    label.setObjectName(f"{name}_error")
    label.setStyleSheet(f"color: {ERROR_COLOUR};")
    label.setWordWrap(True)
    label.hide()
    return label


def show_field_error(label: QLabel, widget: QWidget | None, message: str) -> None:
    label.setText(message)
    label.show()
    if widget is not None:
        widget.setStyleSheet(f"{type(widget).__name__} {{ {FIELD_ERROR_STYLE} }}")
        widget.setToolTip(message)


def clear_field_error(label: QLabel, widget: QWidget | None) -> None:
    label.clear()
    label.hide()
    if widget is not None:
        widget.setStyleSheet("")
        widget.setToolTip("")
