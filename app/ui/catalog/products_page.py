"""The product catalog module page (产品目录): search, category filter, inactive products."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation
from app.services.catalog import ProductPage, ProductRow, list_products
from app.ui.catalog.common import categories, category_label
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_yuan
from app.ui.sales.list_pages import PAGE_SIZE, SalesRowsModel

COST_COLUMN = 7


def _brand_model(row: ProductRow) -> str:
    return " ".join(part for part in (row.brand, row.model) if part)


class ProductListPage(QWidget):
    """The products ordered by SKU; the cost column only for roles that see the cost.

    Enter (the table's ``activated``) or a double click opens the product card.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("product_list_page")
        self._ctx = ctx
        self._generation = 0
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("product_search")
        self.search_edit.setPlaceholderText(self.tr("SKU, name, pinyin initials, brand…"))
        self.search_edit.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._search_now)
        self.category_combo = QComboBox(self)
        self.category_combo.setObjectName("category_filter")
        self.category_combo.addItem(self.tr("All categories"), None)
        for category, text in categories():
            self.category_combo.addItem(text, category)
        self.category_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.inactive_check = QCheckBox(self.tr("Show inactive"), self)
        self.inactive_check.setObjectName("show_inactive")
        self.inactive_check.toggled.connect(lambda _c: self.refresh())
        self.new_button = QPushButton(self.tr("New product"), self)
        self.new_button.setObjectName("new_product_button")
        self.new_button.clicked.connect(self.new_product)
        self.new_button.setVisible(ctx.can(Module.PRODUCTS, Operation.CREATE))
        self.message_label = QLabel(self)
        self.message_label.setObjectName("list_message")

        self.model = SalesRowsModel(self.columns(), self._load_more, self)
        self.table = QTableView(self)
        self.table.setObjectName("product_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in ((0, 130), (1, 240), (3, 160)):
            self.table.setColumnWidth(column, width)
        self.table.setColumnHidden(COST_COLUMN, True)
        self.table.activated.connect(lambda index: self.open_row(index.row()))

        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(self.search_edit, 2)
        bar.addWidget(QLabel(self.tr("Category:"), self))
        bar.addWidget(self.category_combo)
        bar.addWidget(self.inactive_check)
        bar.addWidget(self.message_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.setFocusProxy(self.search_edit)
        self.refresh()

    def columns(self) -> list[tuple[str, Callable[[Any], str]]]:
        def active(row: ProductRow) -> str:
            return "" if row.active else self.tr(" (inactive)")

        return [
            (self.tr("SKU"), lambda r: r.sku),
            (self.tr("Name"), lambda r: r.name + active(r)),
            (self.tr("Category"), lambda r: category_label(r.category)),
            (self.tr("Brand / model"), _brand_model),
            (self.tr("Unit"), lambda r: r.unit),
            (self.tr("List price"), lambda r: format_yuan(r.list_price)),
            (self.tr("Sales points"), lambda r: f"{r.sales_points:.2f}"),
            (self.tr("Cost price"), lambda r: format_yuan(r.cost_price)),
        ]

    # --- loading ---------------------------------------------------------------------------

    def _query(self, after: str | None) -> Callable[[Any], ProductPage]:
        actor, text = self._ctx.actor, self.search_edit.text().strip()
        category, inactive = self.category_combo.currentData(), self.inactive_check.isChecked()
        return lambda uow: list_products(uow=uow, actor=actor, text=text, category=category,
                                         include_inactive=inactive, after=after,
                                         limit=PAGE_SIZE)

    def refresh(self) -> None:
        self._search_timer.stop()
        self._generation += 1
        generation = self._generation
        self.message_label.setText(self.tr("Loading…"))
        self._ctx.run(self._query(None),
                      on_done=lambda page: self._loaded(generation, page, reset=True),
                      on_error=self._failed, owner=self)

    def _search_now(self) -> None:
        self.refresh()

    def _load_more(self, after: Any) -> None:
        generation = self._generation
        self._ctx.run(self._query(after),
                      on_done=lambda page: self._loaded(generation, page, reset=False),
                      on_error=self._failed, owner=self)

    def _loaded(self, generation: int, page: ProductPage, *, reset: bool) -> None:
        if generation != self._generation:
            return
        if reset:
            self.model.reset_rows(page.rows, page.next_after)
        else:
            self.model.append_rows(page.rows, page.next_after)
        if page.rows:
            self.table.setColumnHidden(
                COST_COLUMN, all(r.cost_price is None for r in page.rows))
        count = self.model.rowCount()
        self.message_label.setText(self.tr("{count} shown").format(count=count) if count
                                   else self.tr("Nothing found."))

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    @property
    def cost_column_shown(self) -> bool:
        return not self.table.isColumnHidden(COST_COLUMN)

    # --- actions ---------------------------------------------------------------------------

    def open_row(self, row: int) -> object:
        product_id = self.model.id_at(row)
        if product_id is None:
            return None
        from app.ui.catalog.product_dialog import open_product
        dialog = open_product(self._ctx, product_id, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog

    def new_product(self) -> object:
        from app.ui.catalog.product_dialog import open_product
        dialog = open_product(self._ctx, None, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog
