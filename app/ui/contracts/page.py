"""The service contracts (服务合同) module page: the list, and the contracts expiring soon."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from app.models.enums import ContractStatus, Module, Operation
from app.services.contracts import ContractPage, ContractView, page_contracts
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.contracts.common import (
    EXPIRING_DAYS,
    contract_kind_label,
    contract_status_label,
    is_expiring,
)
from app.ui.formatting import format_date, format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.rows import held_rows
from app.ui.kit.table import Col, PageRequest

EXPIRING_BACKGROUND = QColor("#fff3e0")
EXPIRING_FOREGROUND = QColor("#e65100")


def _highlight(row: ContractView, role: int) -> QBrush | None:
    """Every cell of a contract expiring soon stands out."""
    if not is_expiring(row.status, row.ends_on):
        return None
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(EXPIRING_BACKGROUND)
    if role == Qt.ItemDataRole.ForegroundRole:
        return QBrush(EXPIRING_FOREGROUND)
    return None


class ContractListPage(ListPage):
    """The service contracts in the user's data scope, read a page at a time and sorted
    by the server (:func:`app.services.contracts.page_contracts`)."""

    module = Module.CONTRACTS
    kind = "contract"
    table_name = "contract_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("contract_list_page")
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("status_filter")
        self.status_combo.addItem(self.tr("All statuses"), None)
        for status in ContractStatus:
            self.status_combo.addItem(contract_status_label(status), status)
        self.expiring_check = QCheckBox(
            self.tr("Expiring within {days} days").format(days=EXPIRING_DAYS), self)
        self.expiring_check.setObjectName("expiring_filter")
        self.expiring_check.setStyleSheet(
            f"QCheckBox {{ color: {EXPIRING_FOREGROUND.name()}; font-weight: bold; }}")
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.expiring_check.toggled.connect(self._expiring_toggled)
        self.add_filter(self.status_combo, self.tr("Status:"))
        self.add_filter(self.expiring_check)
        self.new_button = self.add_button(
            self.tr("New contract"), "new_contract_button", self.new_contract,
            visible=ctx.can(Module.CONTRACTS, Operation.CREATE))
        self.start()

    def columns(self) -> list[Col[Any]]:
        return [
            Col("number", self.tr("Number"), lambda r: r.number, sort="number", width=150,
                role=_highlight),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, sort="customer",
                width=220, role=_highlight),
            Col("kind", self.tr("Kind"), lambda r: contract_kind_label(r.kind), sort="kind",
                role=_highlight),
            Col("status", self.tr("Status"), lambda r: contract_status_label(r.status),
                sort="status", role=_highlight),
            Col("period", self.tr("Period"),
                lambda r: f"{format_date(r.starts_on)} – {format_date(r.ends_on)}",
                sort="period", width=190, role=_highlight),
            Col("fee", self.tr("Fee"), lambda r: format_yuan(r.fee), sort="fee",
                role=_highlight).money(),
            Col("devices", self.tr("Devices"), lambda r: str(len(r.device_ids)),
                sort="devices", role=_highlight).money(),
        ]

    # --- loading ---------------------------------------------------------------------------

    def current_query(self) -> tuple[Any, bool]:
        return self.status_combo.currentData(), self.expiring_check.isChecked()

    def fetch(self, uow: UnitOfWork, query: tuple[Any, bool],
              request: PageRequest) -> ContractPage:
        status, expiring = query
        # The expiring filter lists active contracts only: the status filter is off then.
        return page_contracts(
            uow=uow, actor=self._ctx.actor,
            status=ContractStatus(status) if status and not expiring else None,
            expiring_within=EXPIRING_DAYS if expiring else None, after=request.after,
            limit=request.limit, sort=request.sort, with_total=request.with_total)

    def _expiring_toggled(self, checked: bool) -> None:
        self.status_combo.setEnabled(not checked)
        self.refresh()

    def show_count(self) -> None:
        """The kit's count, and how many of the contracts shown expire soon."""
        super().show_count()
        soon = sum(1 for r in held_rows(self.model) if is_expiring(r.status, r.ends_on))
        if not soon:
            return
        total = self.model.total
        note = (self.tr("{count} of them expiring soon")
                if total is not None and total > self.model.rowCount()
                else self.tr("{count} expiring soon"))
        self.message_label.setText(
            self.message_label.text() + " · " + note.format(count=soon))

    # --- actions ---------------------------------------------------------------------------

    def open_record(self, record_id: int) -> object:
        from app.ui.contracts.contract_dialog import open_contract
        return open_contract(self._ctx, record_id, self)

    def new_contract(self) -> object:
        from app.ui.contracts.contract_dialog import new_contract
        return new_contract(self._ctx, None, self)

    # The main window's New (Ctrl+N) on this page.
    new_record = new_contract
