"""The service contract (服务合同) dialog: terms, covered devices, status moves and renewal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import ContractKind, ContractStatus, Module, Operation
from app.services.contracts import (
    CONTRACT_LIFECYCLE,
    ContractDraft,
    ContractView,
    activate_contract,
    create_contract,
    get_contract,
    renew_contract,
    terminate_contract,
    update_contract,
)
from app.services.customers import get_customer
from app.ui.context import AppContext
from app.ui.contracts.common import contract_kinds, contract_status_label, is_expiring
from app.ui.errors import show_error
from app.ui.formatting import format_yuan
from app.ui.kit.chooser import CustomerChooser
from app.ui.kit.fields import error_label, parse_decimal
from app.ui.kit.record_dialog import RecordDialog, header_label, keep_open

EDITABLE = (ContractStatus.DRAFT, ContractStatus.ACTIVE)
DEVICE_ROLE = Qt.ItemDataRole.UserRole + 1


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ContractDialog(RecordDialog):
    """A new contract (``contract_id`` None) or a saved one.

    Signals:
        saved(ContractView): after a save, a status move or a renewal (the old contract).
    """

    record_kind = "contract"

    def __init__(self, ctx: AppContext, contract_id: int | None = None, *,
                 customer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("contract_dialog")
        self._contract_id = contract_id
        self._customer_id = customer_id
        self._view: ContractView | None = None
        self.renewed_dialog: ContractDialog | None = None
        self._build()
        self.resize(720, 640)
        if contract_id is None:
            self.setWindowTitle(self.tr("New service contract"))
            self.state_label.setText(contract_status_label(ContractStatus.DRAFT))
            if customer_id is not None:
                self.customer.fix_customer(customer_id)
                self.load_devices(customer_id)
            self.update_actions()
        else:
            self.setWindowTitle(self.tr("Service contract"))
            self.reload()

    @property
    def view(self) -> ContractView | None:
        return self._view

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.number_label = header_label(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("state_label")
        self.expiry_label = QLabel(self)
        self.expiry_label.setObjectName("expiry_label")
        self.expiry_label.setStyleSheet("color: #e65100; font-weight: bold;")
        self.expiry_label.hide()
        # A per-visit contract: how many of its included visits are used.
        self.visits_label = QLabel(self)
        self.visits_label.setObjectName("visits_used_label")
        self.visits_label.hide()

        self.customer = CustomerChooser(self._ctx, parent=self)
        # The chooser's parts, by the names the form used before it had one.
        self.customer_label = self.customer.fixed_label
        self.customer_search = self.customer.search_edit
        self.customer_combo = self.customer.combo
        self.customer.chosen.connect(self._customer_chosen)
        chooser = self._customer_id is None and self._contract_id is None
        self.customer.set_searching(chooser)
        customer_box = QHBoxLayout()
        customer_box.addWidget(self.customer)

        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("kind_combo")
        for kind, text in contract_kinds():
            self.kind_combo.addItem(text, kind)
        today = dt.date.today()
        self.starts_on_edit = self._date_edit("starts_on_edit", today)
        self.ends_on_edit = self._date_edit(
            "ends_on_edit", today.replace(year=today.year + 1) - dt.timedelta(days=1)
            if not (today.month == 2 and today.day == 29) else today + dt.timedelta(days=364))
        period = QHBoxLayout()
        period.addWidget(self.starts_on_edit)
        period.addWidget(QLabel("–", self))
        period.addWidget(self.ends_on_edit)
        period.addStretch(1)
        self.visits_spin = QSpinBox(self)
        self.visits_spin.setObjectName("visits_spin")
        self.visits_spin.setRange(-1, 10000)
        self.visits_spin.setSpecialValueText(self.tr("Not limited"))
        self.visits_spin.setValue(-1)
        self.fee_edit = QLineEdit(self)
        self.fee_edit.setObjectName("fee_edit")
        self.fee_edit.setPlaceholderText("0.00")
        self.sla_spin = QSpinBox(self)
        self.sla_spin.setObjectName("sla_spin")
        self.sla_spin.setRange(1, 24 * 30)
        self.sla_spin.setValue(24)
        self.sla_spin.setSuffix(self.tr(" h"))
        self.devices_list = QListWidget(self)
        self.devices_list.setObjectName("devices_list")
        self.devices_list.setMinimumHeight(90)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setObjectName("notes_edit")
        self.notes_edit.setMaximumHeight(70)

        form = QFormLayout()
        for field, title, item in (
            ("customer_id", self.tr("Customer"), customer_box),
            ("kind", self.tr("Kind"), self.kind_combo),
            ("starts_on", self.tr("Period"), period),
            ("ends_on", None, None),
            ("included_visits", self.tr("Included visits"), self.visits_spin),
            ("fee", self.tr("Fee"), self.fee_edit),
            ("sla_response_hours", self.tr("Response within"), self.sla_spin),
            ("device_ids", self.tr("Covered devices"), self.devices_list),
            ("notes", self.tr("Notes"), self.notes_edit),
        ):
            label = error_label(field, self)
            widget = item if isinstance(item, QWidget) else None
            if field == "ends_on":
                widget = self.ends_on_edit
                form.addRow("", label)
            else:
                box = QVBoxLayout()
                box.setSpacing(2)
                if isinstance(item, QWidget):
                    box.addWidget(item)
                else:
                    box.addLayout(item)  # type: ignore[arg-type]
                box.addWidget(label)
                form.addRow(title or "", box)
            if field == "starts_on":
                widget = self.starts_on_edit
            elif field == "customer_id":
                widget = self.customer_combo
            self.register_field(field, label, widget)
        self.owner_error = error_label("owner_id", self)
        self.register_field("owner_id", self.owner_error, None)

        self.save_button = self.make_save_button()
        self.activate_button = QPushButton(self.tr("Activate"), self)
        self.activate_button.setObjectName("activate_button")
        self.activate_button.clicked.connect(
            lambda: self.move_to(ContractStatus.ACTIVE))
        self.terminate_button = QPushButton(self.tr("Terminate"), self)
        self.terminate_button.setObjectName("terminate_button")
        self.terminate_button.clicked.connect(
            lambda: self.move_to(ContractStatus.TERMINATED))
        self.renew_button = QPushButton(self.tr("Renew…"), self)
        self.renew_button.setObjectName("renew_button")
        self.renew_button.setToolTip(self.tr(
            "Create the follow-on contract: same terms and devices, starting the day "
            "after this one ends"))
        self.renew_button.clicked.connect(self.renew)
        self.print_button.hide()

        top = self.header_row(self.number_label, self.state_label, self.expiry_label,
                              self.visits_label)
        self.place_actions((self.save_button, self.activate_button, self.terminate_button,
                            self.renew_button))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form, 1)
        layout.addWidget(self.owner_error)
        layout.addWidget(self.status_label)
        layout.addLayout(self.actions_row)

    def _date_edit(self, name: str, day: dt.date) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(_qdate(day))
        return edit

    # --- state -----------------------------------------------------------------------------

    def _may_edit(self) -> bool:
        if self._view is None:
            return self._ctx.can(Module.CONTRACTS, Operation.CREATE)
        return self._view.status in EDITABLE and self._ctx.can(Module.CONTRACTS,
                                                                Operation.EDIT)

    def update_actions(self) -> None:
        editable = self._may_edit()
        self.save_button.setVisible(editable)
        for widget in (self.kind_combo, self.starts_on_edit, self.ends_on_edit,
                       self.visits_spin, self.fee_edit, self.sla_spin, self.devices_list,
                       self.notes_edit):
            widget.setEnabled(editable)
        view = self._view
        may_move = view is not None and self._ctx.can(Module.CONTRACTS, Operation.EDIT)
        targets = set(CONTRACT_LIFECYCLE.targets(view.status)) if view is not None else set()
        self.activate_button.setVisible(may_move and ContractStatus.ACTIVE in targets)
        self.terminate_button.setVisible(may_move and ContractStatus.TERMINATED in targets)
        self.renew_button.setVisible(
            may_move and ContractStatus.RENEWED in targets
            and self._ctx.can(Module.CONTRACTS, Operation.CREATE))
        for button in (self.save_button, self.activate_button, self.terminate_button,
                       self.renew_button):
            button.setEnabled(not self._busy)

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        cid = self._view.id if self._view is not None else self._contract_id
        if cid is None:
            return
        actor = self._ctx.actor
        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_contract(uow=uow, actor=actor, contract_id=cid),
                      on_done=self._fill, on_error=self._on_load_failed, owner=self)

    def _fill(self, view: ContractView) -> None:
        first = self._view is None or self._view.customer_id != view.customer_id
        self._view = view
        self._customer_id = view.customer_id
        self.setWindowTitle(self.tr("Service contract {number}").format(number=view.number))
        self.number_label.setText(view.number)
        self.state_label.setText(contract_status_label(view.status))
        self.expiry_label.setText(self.tr("Expires on {date}").format(
            date=view.ends_on.isoformat()))
        self.expiry_label.setVisible(is_expiring(view.status, view.ends_on))
        per_visit = view.kind is ContractKind.PER_VISIT and view.included_visits is not None
        if per_visit:
            self.visits_label.setText(self.tr("Visits used: {used} of {total}").format(
                used=view.visits_used, total=view.included_visits))
        self.visits_label.setVisible(per_visit)
        self.customer.fix(view.customer_id, view.customer_name)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(view.kind)))
        self.starts_on_edit.setDate(_qdate(view.starts_on))
        self.ends_on_edit.setDate(_qdate(view.ends_on))
        self.visits_spin.setValue(-1 if view.included_visits is None
                                  else view.included_visits)
        self.fee_edit.setText(f"{view.fee:.2f}")
        self.sla_spin.setValue(view.sla_response_hours)
        self.notes_edit.setPlainText(view.notes or "")
        self._set_checked(view.device_ids, view.device_serials)
        if first:
            self.load_devices(view.customer_id)
        self.set_busy(False)

    def _on_load_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Could not load the contract."), error=True)
        show_error(self, error)

    def search_customers(self) -> None:
        """Look up what is typed in the customer box now (without the typing pause)."""
        self.customer.search()

    def _customer_chosen(self, customer_id: Any) -> None:
        self.devices_list.clear()
        if customer_id is not None:
            self.load_devices(int(customer_id))

    def load_devices(self, customer_id: int) -> None:
        """List the customer's devices to tick; the ticked ones stay ticked."""
        actor = self._ctx.actor
        self._ctx.run(lambda uow: get_customer(uow=uow, actor=actor, customer_id=customer_id),
                      on_done=lambda c: self._devices_loaded(customer_id, c),
                      on_error=lambda _e: None, owner=self)

    def _devices_loaded(self, customer_id: int, customer: Any) -> None:
        if self._view is None:
            chosen = self.customer.current_id()
            current = self._customer_id if chosen is None else int(chosen)
            if current != customer_id:
                return
        checked = set(self.checked_device_ids())
        self.devices_list.clear()
        for d in customer.devices:
            item = QListWidgetItem(f"{d.brand} {d.model}  ·  {d.serial_number}"
                                   + (f"  ·  {d.location}" if d.location else ""))
            item.setData(DEVICE_ROLE, d.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if d.id in checked
                               else Qt.CheckState.Unchecked)
            self.devices_list.addItem(item)
        if not customer.devices:
            item = QListWidgetItem(self.tr("This customer has no devices on the card."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.devices_list.addItem(item)

    def _set_checked(self, device_ids: tuple[int, ...], serials: tuple[str, ...]) -> None:
        if self.devices_list.count() == 0:
            for device_id, serial in zip(device_ids, serials, strict=False):
                item = QListWidgetItem(serial)
                item.setData(DEVICE_ROLE, device_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                self.devices_list.addItem(item)
        wanted = set(device_ids)
        for i in range(self.devices_list.count()):
            item = self.devices_list.item(i)
            if item.data(DEVICE_ROLE) is not None:
                item.setCheckState(Qt.CheckState.Checked if item.data(DEVICE_ROLE) in wanted
                                   else Qt.CheckState.Unchecked)

    def checked_device_ids(self) -> list[int]:
        found = []
        for i in range(self.devices_list.count()):
            item = self.devices_list.item(i)
            if (item.data(DEVICE_ROLE) is not None
                    and item.checkState() == Qt.CheckState.Checked):
                found.append(int(item.data(DEVICE_ROLE)))
        return found

    def set_device_checked(self, device_id: int, checked: bool = True) -> bool:
        for i in range(self.devices_list.count()):
            item = self.devices_list.item(i)
            if item.data(DEVICE_ROLE) == device_id:
                item.setCheckState(Qt.CheckState.Checked if checked
                                   else Qt.CheckState.Unchecked)
                return True
        return False

    # --- saving ----------------------------------------------------------------------------

    def current_draft(self) -> ContractDraft:
        customer_id = self._customer_id
        if customer_id is None:
            data = self.customer.current_id()
            customer_id = int(data) if data is not None else 0
        text = self.fee_edit.text()
        parsed = parse_decimal(text)
        fee: Decimal | str = parsed if parsed is not None else text
        visits = self.visits_spin.value()
        kind = self.kind_combo.currentData()
        return ContractDraft(
            customer_id=customer_id, kind=ContractKind(kind) if kind else "",
            starts_on=_pydate(self.starts_on_edit.date()),
            ends_on=_pydate(self.ends_on_edit.date()), fee=fee,
            device_ids=tuple(self.checked_device_ids()),
            included_visits=None if visits < 0 else visits,
            sla_response_hours=self.sla_spin.value(),
            owner_id=self._view.owner_id if self._view is not None else None,
            notes=self.notes_edit.toPlainText().strip() or None)

    def save(self) -> None:
        if self._busy or not self._may_edit():
            return
        draft, actor = self.current_draft(), self._ctx.actor
        if self._view is None:
            self.write(lambda uow: create_contract(uow=uow, actor=actor, draft=draft),
                       self._on_saved)
        else:
            cid, version = self._view.id, self._view.version
            self.write(lambda uow: update_contract(
                uow=uow, actor=actor, contract_id=cid, expected_version=version,
                draft=draft), self._on_saved)

    def move_to(self, target: ContractStatus) -> None:
        if self._view is None or self._busy:
            return
        fn = {ContractStatus.ACTIVE: activate_contract,
              ContractStatus.TERMINATED: terminate_contract}[target]
        cid, version, actor = self._view.id, self._view.version, self._ctx.actor
        self.write(lambda uow: fn(uow=uow, actor=actor, contract_id=cid,
                                  expected_version=version), self._on_saved)

    def renew(self) -> None:
        """Renew (续签): the service makes the follow-on contract, which opens here."""
        if self._view is None or self._busy:
            return
        cid, version, actor = self._view.id, self._view.version, self._ctx.actor
        self.write(lambda uow: renew_contract(uow=uow, actor=actor, contract_id=cid,
                                              expected_version=version),
                   self._on_renewed, busy_text=self.tr("Renewing…"))

    def _on_renewed(self, new: ContractView) -> None:
        self.set_status(self.tr("Renewed as {number}.").format(number=new.number))
        parent = self.parentWidget()
        # The new contract's own saves reach the open lists by the change bus.
        self.renewed_dialog = keep_open(ContractDialog(self._ctx, new.id, parent=parent))
        self.reload()
        self.saved.emit(new)

    def _on_saved(self, view: ContractView) -> None:
        self._fill(view)
        self.set_status(self.tr("Saved: {number}, {fee}").format(
            number=view.number, fee=format_yuan(view.fee)))
        self.saved.emit(view)


def open_contract(ctx: AppContext, contract_id: int, parent: QWidget | None = None
                  ) -> ContractDialog:
    """Open a saved contract."""
    return keep_open(ContractDialog(ctx, contract_id, parent=parent))


def new_contract(ctx: AppContext, customer_id: int | None = None,
                 parent: QWidget | None = None) -> ContractDialog:
    return keep_open(ContractDialog(ctx, customer_id=customer_id, parent=parent))
