"""The lines table of a quotation or order: product picker, live line totals, cell errors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.catalog import ProductRow, list_products
from app.services.sales import line_total
from app.ui.context import AppContext
from app.ui.formatting import format_yuan
from app.ui.kit.fields import error_label, parse_decimal

SEARCH_DEBOUNCE_MS = 250
ERROR_BACKGROUND = QColor("#ffe0e0")
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class _RowData:
    product_id: int | None = None
    line_id: int | None = None
    unit: str = ""
    unit_cost: Decimal | None = None


class LinesEditor(QWidget):
    """Lines of a quotation or order; ``show_cost`` adds the cost column (orders only).

    Signals:
        changed(): a line was added, removed or edited (the total may have moved).
    """

    changed = Signal()

    KEYS = ("sku", "description", "quantity", "unit_price", "discount_percent", "unit_cost",
            "line_total")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._rows: list[_RowData] = []
        self._filling = False
        self._editable = True
        self._products: list[ProductRow] = []
        self._search_serial = 0
        self.setObjectName("lines_editor")

        self.product_search = QLineEdit(self)
        self.product_search.setObjectName("product_search")
        self.product_search.setPlaceholderText(self.tr("Find a product by SKU, name or pinyin"))
        self.product_results = QComboBox(self)
        self.product_results.setObjectName("product_results")
        self.product_results.setMinimumContentsLength(28)
        self.add_product_button = QPushButton(self.tr("Add product"), self)
        self.add_product_button.setObjectName("add_product_button")
        self.add_line_button = QPushButton(self.tr("Add text line"), self)
        self.add_line_button.setObjectName("add_line_button")
        self.remove_line_button = QPushButton(self.tr("Remove line"), self)
        self.remove_line_button.setObjectName("remove_line_button")

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_products)
        self.product_search.textEdited.connect(lambda _t: self._timer.start())
        self.product_search.returnPressed.connect(self.add_selected_product)
        self.add_product_button.clicked.connect(self.add_selected_product)
        self.add_line_button.clicked.connect(self._add_text_line)
        self.remove_line_button.clicked.connect(self.remove_current_line)

        self.table = QTableWidget(0, len(self.KEYS), self)
        self.table.setObjectName("lines_table")
        self.table.setHorizontalHeaderLabels(self.column_titles())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.column_of("description"),
                                    QHeaderView.ResizeMode.Stretch)
        for key, width in (("sku", 110), ("quantity", 70), ("unit_price", 100),
                           ("discount_percent", 70), ("unit_cost", 100), ("line_total", 110)):
            self.table.setColumnWidth(self.column_of(key), width)
        self.table.setColumnHidden(self.column_of("unit_cost"), True)
        self.table.itemChanged.connect(self._on_item_changed)

        self.errors_label = error_label("lines", self)
        self.total_label = QLabel(self)
        self.total_label.setObjectName("lines_total")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        font = self.total_label.font()
        font.setBold(True)
        self.total_label.setFont(font)

        picker = QHBoxLayout()
        picker.addWidget(self.product_search, 2)
        picker.addWidget(self.product_results, 3)
        picker.addWidget(self.add_product_button)
        picker.addWidget(self.add_line_button)
        picker.addWidget(self.remove_line_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(picker)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.errors_label)
        layout.addWidget(self.total_label)
        self._update_total()

    # --- columns ---------------------------------------------------------------------------

    def column_titles(self) -> list[str]:
        return [self.column_title(k) for k in self.KEYS]

    def column_title(self, key: str) -> str:
        return {
            "sku": self.tr("SKU"), "product_id": self.tr("SKU"),
            "description": self.tr("Description"), "quantity": self.tr("Qty"),
            "unit_price": self.tr("Unit price"), "discount_percent": self.tr("Discount %"),
            "unit_cost": self.tr("Unit cost"), "line_total": self.tr("Line total"),
        }.get(key, key)

    def column_of(self, key: str) -> int:
        return self.KEYS.index("sku" if key in ("product_id", "id") else key)

    def set_cost_visible(self, visible: bool) -> None:
        self.table.setColumnHidden(self.column_of("unit_cost"), not visible)

    def cost_visible(self) -> bool:
        return not self.table.isColumnHidden(self.column_of("unit_cost"))

    # --- content ---------------------------------------------------------------------------

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        for widget in (self.product_search, self.product_results, self.add_product_button,
                       self.add_line_button, self.remove_line_button):
            widget.setVisible(editable)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers)

    def set_lines(self, lines: Sequence[Any]) -> None:
        """Show saved lines (QuotationLineView or OrderLineView)."""
        self._filling = True
        try:
            self.table.setRowCount(0)
            self._rows.clear()
            for ln in lines:
                self._append(_RowData(product_id=ln.product_id, line_id=ln.id,
                                      unit=ln.unit or "",
                                      unit_cost=getattr(ln, "unit_cost", None)),
                             sku=ln.sku or "", description=ln.description,
                             quantity=ln.quantity, unit_price=ln.unit_price,
                             discount=ln.discount_percent)
        finally:
            self._filling = False
        self._update_total()

    def add_product(self, product: ProductRow, quantity: Decimal = Decimal(1)) -> int:
        """Add a line for ``product`` at its list price; returns the row."""
        row = self._append(_RowData(product_id=product.id, unit=product.unit,
                                    unit_cost=product.cost_price),
                           sku=product.sku, description=product.name, quantity=quantity,
                           unit_price=product.list_price, discount=Decimal(0))
        self._after_edit()
        self.table.setCurrentCell(row, self.column_of("quantity"))
        return row

    def add_line(self, description: str = "", unit_price: Decimal | None = None,
                 quantity: Decimal = Decimal(1)) -> int:
        """Add a free-text line (service, installation...)."""
        row = self._append(_RowData(), sku="", description=description, quantity=quantity,
                           unit_price=unit_price, discount=Decimal(0))
        self._after_edit()
        self.table.setCurrentCell(row, self.column_of("description"))
        return row

    def _add_text_line(self) -> None:
        self.add_line()

    def remove_current_line(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self._rows):
            self.table.removeRow(row)
            del self._rows[row]
            self._after_edit()

    def set_cell(self, row: int, key: str, text: str) -> None:
        item = self.table.item(row, self.column_of(key))
        assert item is not None
        item.setText(text)

    def cell_text(self, row: int, key: str) -> str:
        item = self.table.item(row, self.column_of(key))
        return item.text() if item is not None else ""

    def line_count(self) -> int:
        return len(self._rows)

    def line_values(self) -> list[dict[str, Any]]:
        """What each row says, as draft keyword arguments (text the service checks)."""
        values = []
        for row, data in enumerate(self._rows):
            description = self.cell_text(row, "description").strip() or None
            values.append({
                "product_id": data.product_id,
                "description": description,
                "quantity": self._number_or_text(self.cell_text(row, "quantity")),
                "unit_price": self._number_or_text(self.cell_text(row, "unit_price"),
                                                   empty=None),
                "discount_percent": self._number_or_text(
                    self.cell_text(row, "discount_percent"), empty=Decimal(0)),
                "id": data.line_id,
                "unit_cost": data.unit_cost if data.product_id is None else None,
            })
        return values

    def total(self) -> Decimal | None:
        """The sum of the line totals, or None while a row has no valid number."""
        totals = [self._row_total(row) for row in range(len(self._rows))]
        if any(t is None for t in totals):
            return None
        return sum((t for t in totals if t is not None), Decimal("0.00"))

    # --- errors ----------------------------------------------------------------------------

    def show_errors(self, errors: dict[str, str]) -> list[str]:
        """Mark the cells named in ``errors``; returns the fields it placed."""
        self.clear_errors()
        placed, messages = [], []
        for field, message in errors.items():
            match = LINE_FIELD.match(field)
            if field == "lines":
                messages.append(message)
            elif match:
                row, key = int(match[1]), match[2]
                item = self.table.item(row, self.column_of(key)) if row < len(self._rows) \
                    else None
                if item is not None:
                    self._filling = True
                    item.setBackground(QBrush(ERROR_BACKGROUND))
                    item.setToolTip(message)
                    self._filling = False
                messages.append(self.tr("Row {row}, {column}: {message}").format(
                    row=row + 1, column=self.column_title(key), message=message))
            else:
                continue
            placed.append(field)
        if messages:
            self.errors_label.setText("\n".join(messages))
            self.errors_label.show()
        return placed

    def clear_errors(self) -> None:
        self.errors_label.hide()
        self.errors_label.clear()
        self._filling = True
        for row in range(self.table.rowCount()):
            for col in range(self.table.columnCount()):
                item = self.table.item(row, col)
                if item is not None and item.toolTip():
                    item.setBackground(QBrush())
                    item.setToolTip("")
        self._filling = False

    # --- product search --------------------------------------------------------------------

    def search_products(self) -> None:
        text = self.product_search.text().strip()
        self._search_serial += 1
        serial = self._search_serial
        actor = self._ctx.actor
        self._ctx.run(lambda uow: list_products(uow=uow, actor=actor, text=text, limit=30),
                      on_done=lambda page: self._on_products(serial, page.rows),
                      on_error=lambda _e: self._on_products(serial, ()), owner=self)

    def _on_products(self, serial: int, rows: Sequence[ProductRow]) -> None:
        if serial != self._search_serial:
            return
        self._products = list(rows)
        self.product_results.clear()
        for product in rows:
            text = f"{product.sku}  {product.name}  {format_yuan(product.list_price)}"
            if product.cost_price is not None:  # only for roles that may see costs
                text += "  " + self.tr("(cost {cost})").format(
                    cost=format_yuan(product.cost_price))
            self.product_results.addItem(text, product.id)
        if not rows:
            self.product_results.addItem(self.tr("No product found"), None)

    def is_searching(self) -> bool:
        return self._timer.isActive()

    def add_selected_product(self) -> None:
        index = self.product_results.currentIndex()
        if self._timer.isActive():  # Enter before the results came: search now
            self._timer.stop()
            self.search_products()
            return
        if 0 <= index < len(self._products):
            self.add_product(self._products[index])
            self.product_search.clear()

    # --- internals -------------------------------------------------------------------------

    def _append(self, data: _RowData, *, sku: str, description: str, quantity: Decimal,
                unit_price: Decimal | None, discount: Decimal) -> int:
        row = self.table.rowCount()
        was_filling, self._filling = self._filling, True
        self.table.insertRow(row)
        self._rows.append(data)
        texts = {
            "sku": sku, "description": description, "quantity": _plain(quantity),
            "unit_price": "" if unit_price is None else f"{unit_price:.2f}",
            "discount_percent": _plain(discount),
            "unit_cost": format_yuan(data.unit_cost), "line_total": "",
        }
        for key, text in texts.items():
            item = QTableWidgetItem(text)
            if key in ("sku", "unit_cost", "line_total"):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if key not in ("sku", "description"):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, self.column_of(key), item)
        self._filling = was_filling
        self._show_row_total(row)
        return row

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        if item.toolTip():
            self._filling = True
            item.setBackground(QBrush())
            item.setToolTip("")
            self._filling = False
        self._show_row_total(item.row())
        self._after_edit()

    def _after_edit(self) -> None:
        self._update_total()
        if not self._filling:
            self.changed.emit()

    def _row_total(self, row: int) -> Decimal | None:
        quantity = parse_decimal(self.cell_text(row, "quantity"))
        price = parse_decimal(self.cell_text(row, "unit_price"))
        discount = parse_decimal(self.cell_text(row, "discount_percent") or "0")
        if quantity is None or price is None or discount is None:
            return None
        return line_total(quantity, price, discount)

    def _show_row_total(self, row: int) -> None:
        item = self.table.item(row, self.column_of("line_total"))
        if item is None:
            return
        was_filling, self._filling = self._filling, True
        item.setText(format_yuan(self._row_total(row)))
        self._filling = was_filling

    def _update_total(self) -> None:
        total = self.total()
        self.total_label.setText(self.tr("Total: {amount}").format(
            amount=format_yuan(total) if total is not None else "—"))

    @staticmethod
    def _number_or_text(text: str, empty: Any = "") -> Any:
        if not text.strip():
            return empty
        value = parse_decimal(text)
        return value if value is not None else text


def _plain(value: Decimal) -> str:
    """``Decimal("2.500")`` → ``"2.5"``; ``Decimal("3")`` → ``"3"``."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
