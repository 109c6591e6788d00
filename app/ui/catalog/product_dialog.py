"""Create or edit one product: SKU, name, category, prices and sales points.

The cost price appears only for roles allowed to see it: the service sends ``None`` to the
others, and they may not send a cost either.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation
from app.services.catalog import (
    ProductDraft,
    ProductView,
    create_product,
    get_product,
    update_product,
)
from app.services.permissions import hidden_fields, read_only_fields
from app.services.uow import UnitOfWork
from app.ui.catalog.common import categories
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.kit.fields import error_label, parse_decimal
from app.ui.kit.record_dialog import RecordDialog, keep_open


@dataclass(frozen=True)
class _Loaded:
    view: ProductView | None
    cost_visible: bool
    cost_editable: bool


class ProductDialog(RecordDialog):
    """A product card; ``product_id=None`` for a new product.

    Signals:
        saved(ProductView): the product was created or saved (the change bus hears it).
    """

    record_kind = "product"

    def __init__(self, ctx: AppContext, product_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("product_dialog")
        self.product_id = product_id
        self._view: ProductView | None = None
        self.loaded = False
        self._cost_editable = False
        self.editable = ctx.can(Module.PRODUCTS,
                                Operation.CREATE if product_id is None else Operation.EDIT)
        self.setWindowTitle(self.tr("New product") if product_id is None
                            else self.tr("Product"))

        self.sku_edit = QLineEdit(self)
        self.sku_edit.setObjectName("sku_edit")
        self.sku_edit.setMaxLength(40)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("name_edit")
        self.name_edit.setMaxLength(200)
        self.category_combo = QComboBox(self)
        self.category_combo.setObjectName("category_combo")
        for category, text in categories():
            self.category_combo.addItem(text, category)
        self.brand_edit = QLineEdit(self)
        self.brand_edit.setObjectName("brand_edit")
        self.model_edit = QLineEdit(self)
        self.model_edit.setObjectName("model_edit")
        self.unit_edit = QLineEdit("台", self)
        self.unit_edit.setObjectName("unit_edit")
        self.unit_edit.setMaxLength(20)
        # Created once the role is known to see the cost (see _on_loaded).
        self.cost_edit: QLineEdit | None = None
        self.list_price_edit = QLineEdit("0.00", self)
        self.list_price_edit.setObjectName("list_price_edit")
        self.points_edit = QLineEdit("0.00", self)
        self.points_edit.setObjectName("sales_points_edit")
        self.active_check = QCheckBox(self.tr("In the catalog (active)"), self)
        self.active_check.setObjectName("active_check")
        self.active_check.setChecked(True)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setObjectName("notes_edit")
        self.notes_edit.setFixedHeight(60)

        self.form = QFormLayout()
        for field, title, widget in (
            ("sku", self.tr("SKU"), self.sku_edit),
            ("name", self.tr("Name"), self.name_edit),
            ("category", self.tr("Category"), self.category_combo),
            ("brand", self.tr("Brand"), self.brand_edit),
            ("model", self.tr("Model"), self.model_edit),
            ("unit", self.tr("Unit"), self.unit_edit),
            ("list_price", self.tr("List price"), self.list_price_edit),
            ("sales_points", self.tr("Sales points"), self.points_edit),
            ("active", "", self.active_check),
            ("notes", self.tr("Notes"), self.notes_edit),
        ):
            self.form.addRow(title, self._field_box(field, widget))

        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setDefault(True)
        self.save_button.setVisible(self.editable)
        self.save_button.clicked.connect(self.submit)
        self.close_button.setAutoDefault(False)
        self.print_button.hide()
        self.actions_row.addStretch(1)
        self.actions_row.addWidget(self.save_button)
        self.actions_row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.status_label)
        layout.addLayout(self.actions_row)
        self.resize(460, 480)
        self.reload()

    def _field_box(self, field: str, widget: QWidget) -> QVBoxLayout:
        label = error_label(field, self)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(label)
        self.register_field(field, label, widget)
        return box

    # --- state ------------------------------------------------------------------------------

    @property
    def view(self) -> ProductView | None:
        return self._view

    def update_actions(self) -> None:
        self.save_button.setEnabled(not self._busy and self.editable and self.loaded)

    def _set_editable(self) -> None:
        for widget in (self.sku_edit, self.name_edit, self.brand_edit, self.model_edit,
                       self.unit_edit, self.list_price_edit, self.points_edit):
            widget.setReadOnly(not self.editable)
        self.notes_edit.setReadOnly(not self.editable)
        self.category_combo.setEnabled(self.editable)
        self.active_check.setEnabled(self.editable)
        if self.cost_edit is not None:
            self.cost_edit.setReadOnly(not (self.editable and self._cost_editable))

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        actor, product_id = self._ctx.actor, self.product_id

        def load(uow: UnitOfWork) -> _Loaded:
            editable = "cost_price" not in read_only_fields(uow, actor, Module.PRODUCTS)
            if product_id is None:
                visible = "cost_price" not in hidden_fields(uow, actor, Module.PRODUCTS)
                return _Loaded(None, visible, editable)
            view = get_product(uow=uow, actor=actor, product_id=product_id)
            return _Loaded(view, view.cost_price is not None, editable)

        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(load, on_done=self._on_loaded, on_error=self._on_load_failed, owner=self)

    def _on_loaded(self, loaded: _Loaded) -> None:
        self.loaded = True
        self._cost_editable = loaded.cost_editable
        if loaded.cost_visible and self.cost_edit is None:
            self.cost_edit = QLineEdit("0.00", self)
            self.cost_edit.setObjectName("cost_price_edit")
            # After "Unit": SKU, name, category, brand, model, unit.
            self.form.insertRow(6, self.tr("Cost price"),
                                self._field_box("cost_price", self.cost_edit))
        view = loaded.view
        if view is not None:
            self._view = view
            self.setWindowTitle(self.tr("Product {sku}").format(sku=view.sku))
            self.sku_edit.setText(view.sku)
            self.name_edit.setText(view.name)
            self.category_combo.setCurrentIndex(self.category_combo.findData(view.category))
            self.brand_edit.setText(view.brand or "")
            self.model_edit.setText(view.model or "")
            self.unit_edit.setText(view.unit)
            if self.cost_edit is not None and view.cost_price is not None:
                self.cost_edit.setText(f"{view.cost_price:.2f}")
            self.list_price_edit.setText(f"{view.list_price:.2f}")
            self.points_edit.setText(f"{view.sales_points:.2f}")
            self.active_check.setChecked(view.active)
            self.notes_edit.setPlainText(view.notes or "")
        self._set_editable()
        self.set_busy(False)

    def _on_load_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Could not load the product."), error=True)
        show_error(self, error)

    # --- saving -----------------------------------------------------------------------------

    def draft(self) -> ProductDraft:
        def number(edit: QLineEdit) -> Decimal | str:
            parsed = parse_decimal(edit.text())
            return parsed if parsed is not None else edit.text()

        cost: Decimal | str | None = None
        if self.cost_edit is not None and self._cost_editable:
            cost = number(self.cost_edit)
        return ProductDraft(
            sku=self.sku_edit.text().strip(), name=self.name_edit.text().strip(),
            category=self.category_combo.currentData(),
            brand=self.brand_edit.text().strip() or None,
            model=self.model_edit.text().strip() or None,
            unit=self.unit_edit.text().strip(), cost_price=cost,
            list_price=number(self.list_price_edit), sales_points=number(self.points_edit),
            active=self.active_check.isChecked(),
            notes=self.notes_edit.toPlainText().strip() or None,
        )

    def submit(self) -> None:
        if self._busy or not self.editable or not self.loaded:
            return
        draft, actor, view = self.draft(), self._ctx.actor, self._view
        if view is None:
            self.write(lambda uow: create_product(uow=uow, actor=actor, draft=draft),
                       on_done=self._on_saved)
        else:
            self.write(lambda uow: update_product(
                uow=uow, actor=actor, product_id=view.id, expected_version=view.version,
                draft=draft), on_done=self._on_saved)

    def _on_saved(self, view: ProductView) -> None:
        self._view = view
        self.product_id = view.id
        self.set_busy(False, self.tr("Saved."))
        self.saved.emit(view)
        self.accept()


def open_product(ctx: AppContext, product_id: int | None, parent: QWidget | None = None
                 ) -> ProductDialog:
    """Show the product card (a new product when ``product_id`` is None)."""
    return keep_open(ProductDialog(ctx, product_id, parent))
