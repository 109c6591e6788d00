"""Field helpers of every form: the red message under a field, amounts typed by people,
and the status lines and small read-only tables of wizards and dialogs."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableWidget, QWidget

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


def status_label(name: str, parent: QWidget) -> QLabel:
    """A wrapping line of status text (a wizard page's "Loading…", a result, an error)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def show_as_error(label: QLabel, error: bool) -> None:
    """Colour ``label``'s text red (an error) or back to the palette's own colour."""
    palette = QPalette()
    if error:
        palette.setColor(QPalette.ColorRole.WindowText, QColor(ERROR_COLOUR))
    label.setPalette(palette)


def fixed_table(parent: QWidget, headers: list[str], name: str, *,
                selectable: bool = False) -> QTableWidget:
    """A small read-only table of a wizard or dialog (counts, outcomes, a mapping): no
    editing, no row numbers, one line per row; rows selectable or not."""
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    if selectable:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    else:
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return table
