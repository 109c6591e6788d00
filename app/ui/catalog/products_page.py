"""The product catalog module page (产品目录): search, category filter, inactive products."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from app.models.enums import Module, Operation
from app.services.catalog import ProductPage, ProductRow, list_products
from app.services.uow import UnitOfWork
from app.ui.catalog.common import categories, category_label
from app.ui.context import AppContext
from app.ui.customers.import_access import may_import
from app.ui.formatting import format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.table import Col, PageRequest

COST_COLUMN = 7
SEARCH_DELAY_MS = 250


def _brand_model(row: ProductRow) -> str:
    return " ".join(part for part in (row.brand, row.model) if part)


class ProductListPage(ListPage):
    """The products ordered by SKU (or by any column clicked); the cost column only for
    roles that see the cost."""

    module = Module.PRODUCTS
    kind = "product"
    table_name = "product_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("product_list_page")
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("product_search")
        self.search_edit.setPlaceholderText(self.tr("SKU, name, pinyin initials, brand…"))
        self.search_edit.setClearButtonEnabled(True)
        # Typing reads the list again after a short pause, Enter at once.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.refresh)
        self.category_combo = QComboBox(self)
        self.category_combo.setObjectName("category_filter")
        self.category_combo.addItem(self.tr("All categories"), None)
        for category, text in categories():
            self.category_combo.addItem(text, category)
        self.category_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.inactive_check = QCheckBox(self.tr("Show inactive"), self)
        self.inactive_check.setObjectName("show_inactive")
        self.inactive_check.toggled.connect(lambda _c: self.refresh())
        self.add_filter(self.search_edit)
        self.bar.setStretchFactor(self.search_edit, 2)
        self.add_filter(self.category_combo, self.tr("Category:"))
        self.add_filter(self.inactive_check)
        self.new_button = self.add_button(
            self.tr("New product"), "new_product_button", self.new_product,
            visible=ctx.can(Module.PRODUCTS, Operation.CREATE))
        # The import wizard with "products" chosen (导入产品).
        self.import_button = self.add_button(
            self.tr("Import…"), "import_products_button", self.open_import,
            visible=may_import(ctx) and ctx.can(Module.PRODUCTS, Operation.CREATE)
            and ctx.can(Module.PRODUCTS, Operation.EDIT), first=False)
        self.import_button.setToolTip(self.tr("Bring products in from an Excel or CSV sheet"))
        self.import_wizard: QWidget | None = None
        # Hidden until a page shows the role sees the cost (the service sends None else).
        self.table.setColumnHidden(COST_COLUMN, True)
        self.model.page_loaded.connect(self._show_cost)
        self.setFocusProxy(self.search_edit)
        self.start()

    def columns(self) -> list[Col[Any]]:
        def name(row: ProductRow) -> str:
            return row.name if row.active else row.name + self.tr(" (inactive)")

        return [
            Col("sku", self.tr("SKU"), lambda r: r.sku, sort="sku", width=130),
            Col("name", self.tr("Name"), name, sort="name", width=240),
            Col("category", self.tr("Category"), lambda r: category_label(r.category),
                sort="category"),
            Col("brand_model", self.tr("Brand / model"), _brand_model, sort="brand_model",
                width=160),
            Col("unit", self.tr("Unit"), lambda r: r.unit, sort="unit"),
            Col("list_price", self.tr("List price"), lambda r: format_yuan(r.list_price),
                sort="list_price").money(),
            Col("sales_points", self.tr("Sales points"), lambda r: f"{r.sales_points:.2f}",
                sort="sales_points").money(),
            Col("cost_price", self.tr("Cost price"), lambda r: format_yuan(r.cost_price),
                sort="cost_price").money(),
        ]

    def current_query(self) -> tuple[str, Any, bool]:
        return (self.search_edit.text().strip(), self.category_combo.currentData(),
                self.inactive_check.isChecked())

    def fetch(self, uow: UnitOfWork, query: tuple[str, Any, bool],
              request: PageRequest) -> ProductPage:
        text, category, inactive = query
        return list_products(uow=uow, actor=self._ctx.actor, text=text, category=category,
                             include_inactive=inactive, after=request.after,
                             limit=request.limit, sort=request.sort,
                             with_total=request.with_total)

    def refresh(self) -> None:
        self._search_timer.stop()
        super().refresh()

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _show_cost(self) -> None:
        first = self.model.row_at(0)
        if first is not None:
            self.table.setColumnHidden(COST_COLUMN, first.cost_price is None)

    @property
    def cost_column_shown(self) -> bool:
        return not self.table.isColumnHidden(COST_COLUMN)

    # --- actions ---------------------------------------------------------------------------

    def open_import(self) -> QWidget:
        """The import wizard for products; the list shows what it wrote once it ends."""
        from app.ui.customers.import_wizard import open_import_wizard

        wizard = open_import_wizard(self._ctx, self, kind="products", then=self.refresh)
        self.import_wizard = wizard
        return wizard

    def open_record(self, record_id: int) -> object:
        from app.ui.catalog.product_dialog import open_product
        return open_product(self._ctx, record_id, self)

    def new_product(self) -> object:
        from app.ui.catalog.product_dialog import open_product
        return open_product(self._ctx, None, self)

    # The main window's New (Ctrl+N) on this page.
    new_record = new_product
