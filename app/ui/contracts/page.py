"""The service contracts (服务合同) module page: the list, and the contracts expiring soon."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import ContractStatus, Module, Operation
from app.services.contracts import contracts_expiring, list_contracts
from app.ui.context import AppContext
from app.ui.contracts.common import (
    EXPIRING_DAYS,
    contract_kind_label,
    contract_status_label,
    is_expiring,
)
from app.ui.errors import describe_error
from app.ui.formatting import format_date, format_yuan
from app.ui.sales.list_pages import SalesRowsModel

LIST_LIMIT = 500
EXPIRING_BACKGROUND = QColor("#fff3e0")
EXPIRING_FOREGROUND = QColor("#e65100")


class ContractRowsModel(SalesRowsModel):
    """Contract rows; those expiring soon are highlighted."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole) \
                and index.isValid() and index.row() < len(self._rows):
            row = self._rows[index.row()]
            if is_expiring(row.status, row.ends_on):
                return QBrush(EXPIRING_BACKGROUND if role == Qt.ItemDataRole.BackgroundRole
                              else EXPIRING_FOREGROUND)
            return None
        return super().data(index, role)

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class ContractListPage(QWidget):
    """The service contracts in the user's data scope."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contract_list_page")
        self._ctx = ctx
        self._generation = 0

        self.new_button = QPushButton(self.tr("New contract"), self)
        self.new_button.setObjectName("new_contract_button")
        self.new_button.clicked.connect(self.new_contract)
        self.new_button.setVisible(ctx.can(Module.CONTRACTS, Operation.CREATE))
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
        self.message_label = QLabel(self)
        self.message_label.setObjectName("list_message")
        self.status_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.expiring_check.toggled.connect(self._expiring_toggled)

        self.model = ContractRowsModel(self.columns(), lambda _after: None, self)
        self.table = QTableView(self)
        self.table.setObjectName("contract_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 150)
        self.table.setColumnWidth(1, 220)
        self.table.setColumnWidth(4, 190)
        self.table.activated.connect(self._on_table_activated)

        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addWidget(QLabel(self.tr("Status:"), self))
        bar.addWidget(self.status_combo)
        bar.addWidget(self.expiring_check)
        bar.addWidget(self.message_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.refresh()

    def columns(self) -> list[tuple[str, Callable[[Any], str]]]:
        return [
            (self.tr("Number"), lambda r: r.number),
            (self.tr("Customer"), lambda r: r.customer_name),
            (self.tr("Kind"), lambda r: contract_kind_label(r.kind)),
            (self.tr("Status"), lambda r: contract_status_label(r.status)),
            (self.tr("Period"),
             lambda r: f"{format_date(r.starts_on)} – {format_date(r.ends_on)}"),
            (self.tr("Fee"), lambda r: format_yuan(r.fee)),
            (self.tr("Devices"), lambda r: str(len(r.device_ids))),
        ]

    # --- loading ---------------------------------------------------------------------------

    def _expiring_toggled(self, checked: bool) -> None:
        self.status_combo.setEnabled(not checked)
        self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        generation, actor = self._generation, self._ctx.actor
        status = self.status_combo.currentData()
        expiring = self.expiring_check.isChecked()
        self.message_label.setText(self.tr("Loading…"))

        def query(uow: Any) -> Any:
            if expiring:
                return contracts_expiring(uow=uow, actor=actor, within_days=EXPIRING_DAYS)
            return list_contracts(uow=uow, actor=actor,
                                  status=ContractStatus(status) if status else None,
                                  limit=LIST_LIMIT)

        self._ctx.run(query, on_done=lambda rows: self._loaded(generation, rows),
                      on_error=self._failed, owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    def focus_search(self) -> None:
        self.status_combo.setFocus()

    def _loaded(self, generation: int, rows: Any) -> None:
        if generation != self._generation:
            return
        self.model.reset_rows(rows, None)
        count = self.model.rowCount()
        if not count:
            self.message_label.setText(self.tr("Nothing found."))
            return
        soon = sum(1 for r in rows if is_expiring(r.status, r.ends_on))
        text = self.tr("{count} shown").format(count=count)
        if soon:
            text += " · " + self.tr("{count} expiring soon").format(count=soon)
        self.message_label.setText(text)

    def _failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)

    # --- actions ---------------------------------------------------------------------------

    def open_row(self, row: int) -> object:
        record_id = self.model.id_at(row)
        return self.open_record(record_id) if record_id is not None else None

    def open_record(self, record_id: int) -> object:
        from app.ui.contracts.contract_dialog import open_contract
        dialog = open_contract(self._ctx, record_id, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog

    def new_contract(self) -> object:
        from app.ui.contracts.contract_dialog import new_contract
        dialog = new_contract(self._ctx, None, self)
        dialog.saved.connect(lambda _v: self.refresh())
        return dialog

    _table_just_activated = False

    def _on_table_activated(self, index: QModelIndex) -> None:
        self._table_just_activated = True
        QTimer.singleShot(0, self._forget_activation)  # a double click passes no key up
        self.open_row(index.row())

    def _forget_activation(self) -> None:
        self._table_just_activated = False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # The table handles its own Enter (``activated``) and then passes the key up
            # to us: open the row once, not twice.
            if not self._table_just_activated:
                self.open_row(self.table.currentIndex().row())
            self._table_just_activated = False
            return
        super().keyPressEvent(event)
