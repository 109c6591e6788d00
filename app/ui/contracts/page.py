"""The service contracts (服务合同) module page: the list, and the contracts expiring soon."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from app.models.enums import ContractKind, ContractStatus, Module, Operation
from app.services.contracts import ContractView, contracts_expiring, list_contracts
from app.services.uow import UnitOfWork
from app.textkeys import sort_key
from app.ui.context import AppContext
from app.ui.contracts.common import (
    EXPIRING_DAYS,
    contract_kind_label,
    contract_status_label,
    is_expiring,
)
from app.ui.formatting import format_date, format_yuan
from app.ui.kit.list_page import ListPage
from app.ui.kit.table import Col, PageRequest

LIST_LIMIT = 500  # what the contract services return at most
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
    """The service contracts in the user's data scope.

    The services return every contract at once (at most :data:`LIST_LIMIT`), so the list
    is ``local``: any column sorts in memory.
    """

    module = Module.CONTRACTS
    kind = "contract"
    table_name = "contract_table"
    local = True

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
        kinds, statuses = list(ContractKind), list(ContractStatus)
        return [
            Col("number", self.tr("Number"), lambda r: r.number, width=150,
                role=_highlight),
            Col("customer", self.tr("Customer"), lambda r: r.customer_name, width=220,
                sort_value=lambda r: sort_key(r.customer_name), role=_highlight),
            Col("kind", self.tr("Kind"), lambda r: contract_kind_label(r.kind),
                sort_value=lambda r: kinds.index(r.kind), role=_highlight),
            Col("status", self.tr("Status"), lambda r: contract_status_label(r.status),
                sort_value=lambda r: statuses.index(r.status), role=_highlight),
            Col("period", self.tr("Period"),
                lambda r: f"{format_date(r.starts_on)} – {format_date(r.ends_on)}",
                sort_value=lambda r: (r.starts_on, r.ends_on), width=190, role=_highlight),
            Col("fee", self.tr("Fee"), lambda r: format_yuan(r.fee),
                sort_value=lambda r: r.fee, role=_highlight).money(),
            Col("devices", self.tr("Devices"), lambda r: str(len(r.device_ids)),
                sort_value=lambda r: len(r.device_ids), role=_highlight).money(),
        ]

    # --- loading ---------------------------------------------------------------------------

    def current_query(self) -> tuple[Any, bool]:
        return self.status_combo.currentData(), self.expiring_check.isChecked()

    def fetch(self, uow: UnitOfWork, query: tuple[Any, bool],
              request: PageRequest) -> tuple[ContractView, ...]:
        status, expiring = query
        actor = self._ctx.actor
        if expiring:
            return contracts_expiring(uow=uow, actor=actor, within_days=EXPIRING_DAYS)
        return list_contracts(uow=uow, actor=actor,
                              status=ContractStatus(status) if status else None,
                              limit=LIST_LIMIT)

    def _expiring_toggled(self, checked: bool) -> None:
        self.status_combo.setEnabled(not checked)
        self.refresh()

    def show_count(self) -> None:
        """The kit's count, and how many of the listed contracts expire soon."""
        super().show_count()
        rows = (self.model.row_at(i) for i in range(self.model.rowCount()))
        soon = sum(1 for r in rows if r is not None and is_expiring(r.status, r.ends_on))
        if soon:
            self.message_label.setText(
                self.message_label.text() + " · "
                + self.tr("{count} expiring soon").format(count=soon))

    # --- actions ---------------------------------------------------------------------------

    def open_record(self, record_id: int) -> object:
        from app.ui.contracts.contract_dialog import open_contract
        return open_contract(self._ctx, record_id, self)

    def new_contract(self) -> object:
        from app.ui.contracts.contract_dialog import new_contract
        return new_contract(self._ctx, None, self)
