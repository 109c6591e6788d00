"""Service desk dialogs: intake (客户服务接待单 / 接机) and pickup (客户取单 / 取机).

``open_intake`` and ``open_pickup`` show the dialogs without blocking (``show()``); every
database call runs on the worker through ``ctx.run``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    QEvent,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app import labels
from app.models.enums import (
    CustomFieldEntity,
    Module,
    Operation,
    Priority,
    ServiceMode,
    TicketChannel,
    TicketStatus,
)
from app.saving import new_request_key
from app.services.custom_fields import FieldDefinition
from app.services.custom_fields import definitions as custom_field_definitions
from app.services.customers import (
    CustomerDetail,
    CustomerRow,
    DeviceView,
    get_customer,
    search_customers,
)
from app.services.errors import PermissionDenied, ValidationError
from app.services.knowledge import Suggestion, suggest_solutions
from app.services.slips import ticket_payment_ids
from app.services.tickets import (
    Coverage,
    IntakeDevice,
    IntakeDraft,
    NewDevice,
    TicketView,
    coverage_for,
    device_history,
    get_ticket_by_number,
    intake_devices,
    intake_ticket,
    pickup_ticket,
)
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.errors import show_error
from app.ui.formatting import format_date, format_local_datetime, format_yuan
from app.ui.kit.changes import announce
from app.ui.kit.fields import (
    ERROR_COLOUR,
    clear_field_error,
    error_label,
    parse_decimal,
    show_field_error,
)
from app.ui.kit.record_dialog import keep_open
from app.ui.print_preview import PrintPreviewDialog, open_print_preview
from app.ui.sales.common import payment_methods
from app.ui.saving import save_keyed

# A ticket in these states has a repair to hand over, or handed over: its pickup receipt
# prints.
_HANDED_OR_READY = (TicketStatus.DONE, TicketStatus.PICKED_UP, TicketStatus.CLOSED)

SEARCH_DEBOUNCE_MS = 250
SUGGEST_DEBOUNCE_MS = 400
SEARCH_LIMIT = 20
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
COVERED_COLOUR = "#1b5e20"
PARTLY_COVERED_COLOUR = "#8d5a00"

# The quick check boxes for accessories received with the device (随机附件).
ACCESSORIES = (
    QT_TRANSLATE_NOOP("Accessory", "Power cord"),
    QT_TRANSLATE_NOOP("Accessory", "Toner cartridge"),
    QT_TRANSLATE_NOOP("Accessory", "Paper tray"),
    QT_TRANSLATE_NOOP("Accessory", "Data cable"),
)


def status_label(value: TicketStatus) -> str:
    return labels.label_of(TicketStatus, value)


def _qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def _field(field: str, widget: QWidget, parent: QWidget) -> tuple[QVBoxLayout, QLabel]:
    label = error_label(field, parent)
    box = QVBoxLayout()
    box.setSpacing(2)
    box.addWidget(widget)
    box.addWidget(label)
    return box, label


class _FieldErrors:
    """Error labels by service field name."""

    def __init__(self) -> None:
        self.fields: dict[str, tuple[QLabel, QWidget | None]] = {}

    def add(self, field: str, label: QLabel, widget: QWidget | None) -> None:
        self.fields[field] = (label, widget)

    def text(self, field: str) -> str:
        label = self.fields.get(field, (None, None))[0]
        return label.text() if label is not None and not label.isHidden() else ""

    def clear(self) -> None:
        for label, widget in self.fields.values():
            clear_field_error(label, widget)

    def place(self, errors: Mapping[str, str]) -> list[str]:
        unplaced = []
        for field, message in errors.items():
            if field in self.fields:
                label, widget = self.fields[field]
                show_field_error(label, widget, message)
            else:
                unplaced.append(message)
        return unplaced


# --- intake ----------------------------------------------------------------------------------


class IntakeDialog(QDialog):
    """Take in a device for repair (or an on-site request) for a customer.

    Signals:
        saved(TicketView): the ticket was created.
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 customer_id: int | None = None, search_debounce_ms: int = SEARCH_DEBOUNCE_MS,
                 suggest_debounce_ms: int = SUGGEST_DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("intake_dialog")
        self.setWindowTitle(self.tr("Service intake"))
        self._ctx = ctx
        announce(ctx.changes, self.saved, "ticket")
        self._busy = False
        self._search_serial = 0
        self._device_serial = 0
        self._suggest_serial = 0
        self.search_rows: tuple[CustomerRow, ...] = ()
        self.customer: CustomerDetail | None = None
        self.customer_id: int | None = None
        self.coverage: Coverage | None = None
        self.history: tuple[TicketView, ...] = ()
        self.suggestions: tuple[Suggestion, ...] = ()
        self.ticket: TicketView | None = None
        self.preview: PrintPreviewDialog | None = None
        self.errors = _FieldErrors()
        # Taken when the form opens: saving again after a lost answer takes it in once.
        self.request_key = new_request_key()

        # customer
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("customer_search")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(self.tr("Name, pinyin initials or phone…"))
        self.results = QListWidget(self)
        self.results.setObjectName("customer_results")
        self.results.setMaximumHeight(110)
        self.results.itemActivated.connect(self.pick_item)
        self.customer_label = QLabel(self.tr("No customer chosen"), self)
        self.customer_label.setObjectName("customer_label")
        self.customer_label.setWordWrap(True)
        # device
        self.device_combo = QComboBox(self)
        self.device_combo.setObjectName("device_combo")
        self.device_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.device_combo.addItem(self.tr("New device"), None)
        self.device_combo.currentIndexChanged.connect(self._on_device_changed)
        self.brand_edit = QLineEdit(self)
        self.brand_edit.setObjectName("brand_edit")
        self.brand_edit.setPlaceholderText(self.tr("Brand"))
        self.model_edit = QLineEdit(self)
        self.model_edit.setObjectName("model_edit")
        self.model_edit.setPlaceholderText(self.tr("Model"))
        self.serial_edit = QLineEdit(self)
        self.serial_edit.setObjectName("serial_edit")
        self.serial_edit.setPlaceholderText(self.tr("Serial number"))
        self.model_edit.textChanged.connect(lambda _t: self._schedule_suggest())
        # job
        self.channel_combo = QComboBox(self)
        self.channel_combo.setObjectName("channel_combo")
        for channel in TicketChannel:
            self.channel_combo.addItem(labels.label(channel), channel)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("mode_combo")
        for mode in ServiceMode:
            self.mode_combo.addItem(labels.label(mode), mode)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self.address_edit = QLineEdit(self)
        self.address_edit.setObjectName("site_address_edit")
        self.address_edit.setPlaceholderText(self.tr("Site address (on-site jobs)"))
        self.priority_combo = QComboBox(self)
        self.priority_combo.setObjectName("priority_combo")
        for priority in Priority:
            self.priority_combo.addItem(labels.label(priority), priority)
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(Priority.NORMAL))
        self.symptoms_edit = QPlainTextEdit(self)
        self.symptoms_edit.setObjectName("symptoms_edit")
        self.symptoms_edit.setTabChangesFocus(True)
        self.symptoms_edit.setPlaceholderText(self.tr("What the customer reports…"))
        self.symptoms_edit.setMinimumHeight(70)
        self.symptoms_edit.textChanged.connect(self._schedule_suggest)
        self.accessory_boxes: list[QCheckBox] = []
        accessories_row = QHBoxLayout()
        for n, text in enumerate(ACCESSORIES):
            box = QCheckBox(QCoreApplication.translate("Accessory", text), self)
            box.setObjectName(f"accessory_{n}")
            self.accessory_boxes.append(box)
            accessories_row.addWidget(box)
        self.accessories_edit = QLineEdit(self)
        self.accessories_edit.setObjectName("accessories_edit")
        self.accessories_edit.setPlaceholderText(self.tr("Other accessories"))
        accessories_row.addWidget(self.accessories_edit, 1)
        accessories_widget = QWidget(self)
        accessories_widget.setLayout(accessories_row)
        accessories_row.setContentsMargins(0, 0, 0, 0)
        self.condition_edit = QLineEdit(self)
        self.condition_edit.setObjectName("condition_edit")
        self.condition_edit.setPlaceholderText(self.tr("Scratches, cracks, missing parts…"))
        self.expected_check = QCheckBox(self.tr("Promised by"), self)
        self.expected_check.setObjectName("expected_check")
        self.expected_edit = QDateEdit(QDate(dt.date.today()).addDays(3), self)
        self.expected_edit.setObjectName("expected_edit")
        self.expected_edit.setCalendarPopup(True)
        self.expected_edit.setDisplayFormat("yyyy-MM-dd")
        self.expected_edit.setEnabled(False)
        self.expected_check.toggled.connect(self.expected_edit.setEnabled)
        expected_row = QHBoxLayout()
        expected_row.addWidget(self.expected_check)
        expected_row.addWidget(self.expected_edit, 1)
        expected_widget = QWidget(self)
        expected_widget.setLayout(expected_row)
        expected_row.setContentsMargins(0, 0, 0, 0)

        form = QFormLayout()
        search_box = QVBoxLayout()
        search_box.setSpacing(2)
        search_box.addWidget(self.search_edit)
        search_box.addWidget(self.results)
        search_box.addWidget(self.customer_label)
        customer_error = error_label("customer_id", self)
        search_box.addWidget(customer_error)
        self.errors.add("customer_id", customer_error, self.search_edit)
        form.addRow(self.tr("Customer"), search_box)
        device_box = QVBoxLayout()
        device_box.setSpacing(2)
        device_box.addWidget(self.device_combo)
        new_row = QHBoxLayout()
        for widget in (self.brand_edit, self.model_edit, self.serial_edit):
            new_row.addWidget(widget)
        device_box.addLayout(new_row)
        for field, widget in (("device_id", self.device_combo),
                              ("new_device.brand", self.brand_edit),
                              ("new_device.model", self.model_edit),
                              ("new_device.serial_number", self.serial_edit)):
            label = error_label(field, self)
            device_box.addWidget(label)
            self.errors.add(field, label, widget)
        form.addRow(self.tr("Device"), device_box)
        for field, title, widget in (
            ("channel", self.tr("Channel"), self.channel_combo),
            ("mode", self.tr("Service mode"), self.mode_combo),
            ("site_address", self.tr("Site address"), self.address_edit),
            ("priority", self.tr("Priority"), self.priority_combo),
            ("symptoms", self.tr("Symptoms"), self.symptoms_edit),
            ("accessories", self.tr("Accessories received"), accessories_widget),
            ("condition", self.tr("Visible condition"), self.condition_edit),
            ("expected_on", self.tr("Expected date"), expected_widget),
        ):
            box, label = _field(field, widget, self)
            form.addRow(title, box)
            self.errors.add(field, label, widget if widget is not accessories_widget
                            and widget is not expected_widget else None)
        self.errors.fields["received_at"] = self.errors.fields["expected_on"]

        # side panel: coverage, history, suggestions
        self.coverage_label = QLabel(self.tr("Choose a device to see its coverage."), self)
        self.coverage_label.setObjectName("coverage_label")
        self.coverage_label.setWordWrap(True)
        self.history_list = QListWidget(self)
        self.history_list.setObjectName("history_list")
        self.suggestion_list = QListWidget(self)
        self.suggestion_list.setObjectName("suggestion_list")
        self.suggestion_list.setWordWrap(True)
        side = QVBoxLayout()
        coverage_group = QGroupBox(self.tr("Coverage"), self)
        QVBoxLayout(coverage_group).addWidget(self.coverage_label)
        history_group = QGroupBox(self.tr("Previous repairs"), self)
        QVBoxLayout(history_group).addWidget(self.history_list)
        suggestion_group = QGroupBox(self.tr("Suggested solutions"), self)
        QVBoxLayout(suggestion_group).addWidget(self.suggestion_list)
        # The administrator's custom fields of service tickets (shown when there are any).
        self.custom_group = QGroupBox(self.tr("Custom fields"), self)
        self.custom_group.setObjectName("custom_fields_group")
        self.custom_form = CustomFieldsForm((), self.custom_group, language=ctx.language)
        QVBoxLayout(self.custom_group).addWidget(self.custom_form)
        self.custom_group.setVisible(False)
        side.addWidget(self.custom_group)
        side.addWidget(coverage_group)
        side.addWidget(history_group, 1)
        side.addWidget(suggestion_group, 2)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("status_message")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setToolTip(QKeySequence(QKeySequence.StandardKey.Save).toString(
            QKeySequence.SequenceFormat.NativeText))
        self.save_button.clicked.connect(self.submit)
        self.print_button = QPushButton(self.tr("Print intake slip…"), self)
        self.print_button.setObjectName("print_button")
        self.print_button.setToolTip(QKeySequence(QKeySequence.StandardKey.Print).toString(
            QKeySequence.SequenceFormat.NativeText))
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_slip)
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("close_button")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        for button in (self.save_button, self.print_button):
            button.setAutoDefault(False)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.submit)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_slip)

        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        body = QHBoxLayout()
        body.addLayout(form, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        self.resize(1040, 720)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(search_debounce_ms)
        self._search_timer.timeout.connect(self.apply_search)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self._suggest_timer = QTimer(self)
        self._suggest_timer.setSingleShot(True)
        self._suggest_timer.setInterval(suggest_debounce_ms)
        self._suggest_timer.timeout.connect(self.apply_suggest)
        self.search_edit.installEventFilter(self)
        self.results.installEventFilter(self)
        self._on_mode_changed()
        self._on_device_changed()
        actor = ctx.actor
        ctx.run(lambda uow: custom_field_definitions(
            uow=uow, actor=actor, entity=CustomFieldEntity.SERVICE_TICKET),
            on_done=self._on_custom_fields, on_error=lambda _error: None, owner=self)
        if customer_id is not None:
            self.choose_customer(customer_id)
        self.setFocusProxy(self.search_edit)

    # --- state -----------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self._busy

    def field_error(self, field: str) -> str:
        return self.errors.text(field)

    def chosen_device(self) -> DeviceView | IntakeDevice | None:
        data = self.device_combo.currentData()
        return data if isinstance(data, DeviceView | IntakeDevice) else None

    def device_model(self) -> str:
        device = self.chosen_device()
        return device.model if device is not None else self.model_edit.text().strip()

    def accessories_text(self) -> str | None:
        parts = [box.text() for box in self.accessory_boxes if box.isChecked()]
        other = self.accessories_edit.text().strip()
        if other:
            parts.append(other)
        return "、".join(parts) or None

    # --- customer search -------------------------------------------------------------------

    def apply_search(self) -> None:
        self._search_timer.stop()
        text = self.search_edit.text().strip()
        self._search_serial += 1
        serial = self._search_serial
        if not text:
            self.search_rows = ()
            self.results.clear()
            return
        actor = self._ctx.actor
        self._ctx.run(
            lambda uow: search_customers(uow=uow, actor=actor, text=text, limit=SEARCH_LIMIT),
            on_done=lambda page: self._on_searched(serial, page.rows),
            on_error=lambda error: self._on_search_failed(serial, error), owner=self)

    def _on_searched(self, serial: int, rows: tuple[CustomerRow, ...]) -> None:
        if serial != self._search_serial:
            return
        self.search_rows = rows
        self.results.clear()
        for row in rows:
            text = row.name + (f"  {row.phone}" if row.phone else "")
            item = QListWidgetItem(text, self.results)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
        if not rows:
            item = QListWidgetItem(self.tr("No customer found"), self.results)
            item.setFlags(Qt.ItemFlag.NoItemFlags)

    def _on_search_failed(self, serial: int, error: BaseException) -> None:
        if serial == self._search_serial:
            show_error(self, error)

    def pick_item(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        customer_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(customer_id, int):
            self.choose_customer(customer_id, item.text())

    def choose_customer(self, customer_id: int, name: str | None = None) -> None:
        """Take this customer; their devices load on the worker (if the card may be read)."""
        self.customer_id = customer_id
        self.customer = None
        row = next((r for r in self.search_rows if r.id == customer_id), None)
        shown = row.name if row is not None else (name or "")
        self.customer_label.setText(self.tr("Customer: {name}").format(name=shown))
        self.results.clear()
        self._set_devices(())
        actor = self._ctx.actor

        def load(uow: Any) -> CustomerDetail | tuple[IntakeDevice, ...]:
            try:
                return get_customer(uow=uow, actor=actor, customer_id=customer_id)
            except PermissionDenied:
                # Outside the desk's sales scope: it still takes the device in, and picks
                # it from the customer's machines rather than re-entering its serial.
                return intake_devices(uow=uow, actor=actor, customer_id=customer_id)

        self._ctx.run(load, on_done=lambda c: self._on_customer(customer_id, c),
                      on_error=lambda e: show_error(self, e), owner=self)
        self.device_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_customer(self, customer_id: int,
                     customer: CustomerDetail | tuple[IntakeDevice, ...]) -> None:
        if customer_id != self.customer_id:
            return
        if isinstance(customer, tuple):
            self._set_devices(customer)
            return
        self.customer = customer
        phone = f"  {customer.phone}" if customer.phone else ""
        self.customer_label.setText(self.tr("Customer: {name}").format(
            name=customer.name) + phone)
        self._set_devices(customer.devices)

    def _set_devices(self, devices: tuple[DeviceView | IntakeDevice, ...]) -> None:
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        for device in devices:
            self.device_combo.addItem(
                f"{device.brand} {device.model}  {device.serial_number}", device)
        self.device_combo.addItem(self.tr("New device"), None)
        self.device_combo.setCurrentIndex(0)
        self.device_combo.blockSignals(False)
        self._on_device_changed()

    # --- device: coverage and history ------------------------------------------------------

    def _on_device_changed(self, _index: int = -1) -> None:
        device = self.chosen_device()
        for edit in (self.brand_edit, self.model_edit, self.serial_edit):
            edit.setVisible(device is None)
        self._device_serial += 1
        serial = self._device_serial
        self.coverage = None
        self.history = ()
        self.history_list.clear()
        if device is None:
            self.coverage_label.setText(self.tr("New device: chargeable (收费)."))
            self.coverage_label.setStyleSheet("")
            self._schedule_suggest()
            return
        self.coverage_label.setText(self.tr("Checking coverage…"))
        self.coverage_label.setStyleSheet("")
        actor, device_id, today = self._ctx.actor, device.id, dt.date.today()

        def load(uow: Any) -> tuple[Coverage | None, tuple[TicketView, ...]]:
            return (coverage_for(uow=uow, actor=actor, device_id=device_id, on=today),
                    device_history(uow=uow, actor=actor, device_id=device_id))

        self._ctx.run(load, on_done=lambda result: self._on_device_loaded(serial, *result),
                      on_error=lambda e: show_error(self, e), owner=self)
        self._schedule_suggest()

    def _on_device_loaded(self, serial: int, coverage: Coverage | None,
                          history: tuple[TicketView, ...]) -> None:
        if serial != self._device_serial:
            return
        self.coverage = coverage
        self.history = history
        if coverage is not None:
            # The service says the kind and what is free, e.g. "在保：仅人工免费，配件收费".
            self.coverage_label.setText(self.tr("{summary}\nContract {number}, until {day}")
                                        .format(summary=coverage.summary,
                                                number=coverage.contract_number,
                                                day=format_date(coverage.ends_on)))
            if coverage.used_up:
                colour = f"color: {ERROR_COLOUR}; font-weight: bold;"
            elif coverage.parts_free:
                colour = f"color: {COVERED_COLOUR}; font-weight: bold;"
            else:
                colour = f"color: {PARTLY_COVERED_COLOUR}; font-weight: bold;"
            self.coverage_label.setStyleSheet(colour)
        else:
            self.coverage_label.setText(self.tr("Not under contract: chargeable (收费)."))
            self.coverage_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.history_list.clear()
        for ticket in history:
            self.history_list.addItem(f"{format_date(ticket.received_at.date())}  "
                                      f"{ticket.number}  {status_label(ticket.status)}  "
                                      f"{ticket.symptoms.splitlines()[0][:40]}")
        if not history:
            item = QListWidgetItem(self.tr("No previous repairs"), self.history_list)
            item.setFlags(Qt.ItemFlag.NoItemFlags)

    # --- suggestions -----------------------------------------------------------------------

    def _schedule_suggest(self) -> None:
        self._suggest_timer.start()

    def apply_suggest(self) -> None:
        self._suggest_timer.stop()
        model = self.device_model()
        symptoms = self.symptoms_edit.toPlainText().strip()
        self._suggest_serial += 1
        serial = self._suggest_serial
        if not symptoms:
            self.suggestions = ()
            self.suggestion_list.clear()
            return
        actor = self._ctx.actor

        def load(uow: Any) -> tuple[Suggestion, ...]:
            try:
                return suggest_solutions(uow=uow, actor=actor, device_model=model or None,
                                         symptoms=symptoms, limit=5)
            except PermissionDenied:
                return ()

        self._ctx.run(load, on_done=lambda rows: self._on_suggested(serial, rows),
                      on_error=lambda e: None, owner=self)

    def _on_suggested(self, serial: int, rows: tuple[Suggestion, ...]) -> None:
        if serial != self._suggest_serial:
            return
        self.suggestions = rows
        self.suggestion_list.clear()
        for s in rows:
            e = s.entry
            item = QListWidgetItem(f"{e.device_model}: {e.symptom}\n→ {e.solution}",
                                   self.suggestion_list)
            item.setToolTip(self.tr("Cause: {cause}").format(cause=e.cause))

    # --- save and print --------------------------------------------------------------------

    def _on_mode_changed(self, _index: int = -1) -> None:
        self.address_edit.setEnabled(self.mode_combo.currentData() is ServiceMode.ON_SITE)

    def submit(self) -> None:
        if self._busy or self.ticket is not None:
            return
        self.errors.clear()
        self.custom_form.clear_errors()
        if self.customer_id is None:
            self.errors.place({"customer_id": self.tr("choose a customer first")})
            self._set_status(self.tr("Not saved: please correct the marked fields."),
                             error=True)
            self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        device = self.chosen_device()
        mode = self.mode_combo.currentData()
        draft = IntakeDraft(
            customer_id=self.customer_id,
            symptoms=self.symptoms_edit.toPlainText(),
            channel=self.channel_combo.currentData(),
            mode=mode,
            priority=self.priority_combo.currentData(),
            device_id=device.id if device is not None else None,
            new_device=None if device is not None else NewDevice(
                self.brand_edit.text(), self.model_edit.text(), self.serial_edit.text()),
            accessories=self.accessories_text(),
            condition=self.condition_edit.text() or None,
            site_address=(self.address_edit.text() or None) if mode is ServiceMode.ON_SITE
            else None,
            expected_on=_qdate(self.expected_edit.date()) if self.expected_check.isChecked()
            else None,
            custom=self.custom_form.values(),
        )
        actor = self._ctx.actor
        self._set_busy(True, self.tr("Saving…"))
        save_keyed(self._ctx, lambda uow, key: intake_ticket(
            uow=uow, actor=actor, draft=draft, request_key=key), self.request_key,
            on_done=self._on_saved, on_error=self._on_failed, owner=self)

    def _on_custom_fields(self, fields: tuple[FieldDefinition, ...]) -> None:
        self.custom_form.set_definitions(fields)
        self.custom_form.set_values({}, defaults=True)
        self.custom_group.setVisible(bool(self.custom_form.definitions))

    def _on_saved(self, ticket: TicketView) -> None:
        self.ticket = ticket
        self._set_busy(False)
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(True)
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)
        cover = (self.tr("under contract") if not ticket.chargeable
                 else self.tr("labour free under contract, parts charged")
                 if ticket.labour_free else self.tr("chargeable"))
        self._set_status(self.tr("Saved as {number} ({cover}). Print the intake slip "
                                 "for the customer (Ctrl+P).").format(
            number=ticket.number, cover=cover))
        self.setWindowTitle(self.tr("Service intake {number}").format(number=ticket.number))
        self.saved.emit(ticket)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            unplaced = self.errors.place(self.custom_form.show_errors(error.errors))
            self._set_busy(False, self.tr("Not saved: please correct the marked fields.")
                           + (" " + "; ".join(unplaced) if unplaced else ""), error=True)
        else:
            self._set_busy(False, self.tr("Not saved."), error=True)
            show_error(self, error)

    def print_slip(self) -> None:
        if self.ticket is None:
            return
        self.preview = open_print_preview(self._ctx, "intake", [self.ticket.id], self)

    def _set_busy(self, busy: bool, text: str = "", *, error: bool = False) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy and self.ticket is None)
        self._set_status(text, error=error)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")

    # --- keyboard --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.search_edit:
            if key == Qt.Key.Key_Down and self.results.count():
                self.results.setFocus(Qt.FocusReason.OtherFocusReason)
                self.results.setCurrentRow(0)
                return True
            if key in _ENTER_KEYS:
                if self._search_timer.isActive():
                    self.apply_search()
                elif self.results.count():
                    self.pick_item(self.results.item(0))
                return True
        elif watched is self.results:
            if key in _ENTER_KEYS:
                self.pick_item(self.results.currentItem())
                return True
            if key == Qt.Key.Key_Up and self.results.currentRow() <= 0:
                self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)


# --- pickup ----------------------------------------------------------------------------------


class PickupDialog(QDialog):
    """The customer collects a repaired device: the ticket by number, pay what is open.

    Signals:
        handed_over(TicketView): the ticket is picked up.
    """

    handed_over = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 number: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pickup_dialog")
        self.setWindowTitle(self.tr("Pickup"))
        self._ctx = ctx
        announce(ctx.changes, self.handed_over, "ticket")
        self._busy = False
        self._serial = 0
        self.request_key = new_request_key()
        self.ticket: TicketView | None = None
        self.result_ticket: TicketView | None = None
        # The ticket whose pickup receipt and payment receipts the print buttons print.
        self.printable: TicketView | None = None
        self.preview: PrintPreviewDialog | None = None
        self.errors = _FieldErrors()

        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("number_edit")
        self.number_edit.setPlaceholderText(self.tr("Type or scan the ticket number, Enter"))
        self.number_edit.returnPressed.connect(self.look_up)
        self.details_label = QLabel(self.tr("No ticket loaded."), self)
        self.details_label.setObjectName("ticket_details")
        self.details_label.setWordWrap(True)
        self.details_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_label.setMinimumHeight(150)
        self.details_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setObjectName("amount_edit")
        self.method_combo = QComboBox(self)
        self.method_combo.setObjectName("method_combo")
        for method, text in payment_methods():
            self.method_combo.addItem(text, method)

        form = QFormLayout()
        for field, title, widget in (
            ("number", self.tr("Ticket number"), self.number_edit),
            ("payment_amount", self.tr("Payment"), self.amount_edit),
            ("method", self.tr("Method"), self.method_combo),
        ):
            box, label = _field(field, widget, self)
            form.addRow(title, box)
            self.errors.add(field, label, widget)
            if field == "number":
                form.addRow(self.tr("Ticket"), self.details_label)
        self.errors.fields["expected_version"] = self.errors.fields["number"]
        self.errors.fields["status"] = self.errors.fields["number"]

        self.status_label = QLabel(self)
        self.status_label.setObjectName("status_message")
        self.status_label.setWordWrap(True)
        self.hand_button = QPushButton(self.tr("Hand over"), self)
        self.hand_button.setObjectName("hand_over_button")
        self.hand_button.setAutoDefault(False)
        self.hand_button.clicked.connect(self.submit)
        self.print_pickup_button = QPushButton(self.tr("Print pickup receipt…"), self)
        self.print_pickup_button.setObjectName("print_pickup_button")
        self.print_pickup_button.setToolTip(self.tr(
            "The pickup receipt (取机单) for the customer to sign: charges, payment, what is"
            " open ({key})").format(key=QKeySequence(QKeySequence.StandardKey.Print).toString(
                QKeySequence.SequenceFormat.NativeText)))
        self.print_pickup_button.setAutoDefault(False)
        self.print_pickup_button.clicked.connect(self.print_pickup)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_pickup)
        self.print_receipt_button = QPushButton(self.tr("Print receipt…"), self)
        self.print_receipt_button.setObjectName("print_receipt_button")
        self.print_receipt_button.setToolTip(self.tr("The payment receipt (收款收据) of the"
                                                     " money taken for this ticket"))
        self.print_receipt_button.setAutoDefault(False)
        self.print_receipt_button.clicked.connect(self.print_receipt)
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("close_button")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.hand_button)
        buttons.addWidget(self.print_pickup_button)
        buttons.addWidget(self.print_receipt_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(720, 480)
        self._update_actions()
        self.setFocusProxy(self.number_edit)
        if number:
            self.number_edit.setText(number)
            self.look_up()

    @property
    def is_busy(self) -> bool:
        return self._busy

    def field_error(self, field: str) -> str:
        return self.errors.text(field)

    def look_up(self) -> None:
        number = self.number_edit.text().strip()
        self.errors.clear()
        self.ticket = None
        self.printable = None
        self._serial += 1
        serial = self._serial
        if not number:
            self._update_actions()
            return
        actor = self._ctx.actor
        self._set_busy(True, self.tr("Looking up…"))
        self._ctx.run(lambda uow: get_ticket_by_number(uow=uow, actor=actor, number=number),
                      on_done=lambda t: self._on_found(serial, t),
                      on_error=lambda e: self._on_lookup_failed(serial, e), owner=self)

    def _on_lookup_failed(self, serial: int, error: BaseException) -> None:
        if serial != self._serial:
            return
        self.details_label.setText(self.tr("No ticket loaded."))
        self._set_busy(False, self.tr("Ticket not loaded."), error=True)
        self.errors.place({"number": str(error)})

    def _on_found(self, serial: int, ticket: TicketView) -> None:
        if serial != self._serial:
            return
        self._set_busy(False)
        ready = ticket.status is TicketStatus.DONE
        self.ticket = ticket if ready else None
        self.printable = ticket if ticket.status in _HANDED_OR_READY else None
        # One handover per ticket looked up: its own key.
        self.request_key = new_request_key()
        self._show_details(ticket)
        if not ready:
            self.amount_edit.clear()
            self.errors.place({"number": self.tr("{number} is not ready for pickup: {status}")
                               .format(number=ticket.number,
                                       status=status_label(ticket.status))})
            self._update_actions()
            return
        self.amount_edit.setText(f"{ticket.open_charge:.2f}")
        self._update_actions()
        (self.amount_edit if ticket.open_charge > 0 else self.hand_button).setFocus(
            Qt.FocusReason.OtherFocusReason)

    def _show_details(self, ticket: TicketView) -> None:
        """The ticket as it is now: after a hand-over, with the money just taken."""
        repair = ticket.repair
        lines = [
            self.tr("Customer: {name}").format(name=ticket.customer_name),
            self.tr("Device: {device}").format(
                device=" ".join(x for x in (ticket.device_label, ticket.serial_number) if x)
                or "—"),
            self.tr("Symptoms: {text}").format(text=ticket.symptoms),
            self.tr("Repaired by {name}, done {at}").format(
                name=ticket.technician_name or "—",
                at=format_local_datetime(ticket.completed_at) if ticket.completed_at else "—"),
            (self.tr("Charge: {amount} (under contract)") if not ticket.chargeable
             else self.tr("Charge: {amount} (labour free under contract, parts charged)")
             if ticket.labour_free
             else self.tr("Charge: {amount}")).format(amount=format_yuan(ticket.total_charge)),
            self.tr("Paid: {paid}   Open: {open}").format(
                paid=format_yuan(ticket.paid_amount), open=format_yuan(ticket.open_charge)),
        ]
        if repair is not None:
            lines.append(self.tr("What was done: {text}").format(text=repair.work_done))
            if repair.cause:
                lines.append(self.tr("Cause: {text}").format(text=repair.cause))
            if repair.result:
                lines.append(self.tr("Result: {text}").format(text=repair.result))
            lines.append(self.tr("Labour {labour} + parts {parts}").format(
                labour=format_yuan(repair.labour_amount),
                parts=format_yuan(repair.parts_amount)))
        if ticket.picked_up_at is not None:
            lines.append(self.tr("Handed over {at}").format(
                at=format_local_datetime(ticket.picked_up_at)))
        self.details_label.setText("\n".join(lines))

    def submit(self) -> None:
        ticket = self.ticket
        if self._busy or ticket is None:
            return
        self.errors.clear()
        text = self.amount_edit.text().strip()
        parsed = parse_decimal(text) if text else None
        amount: Decimal | str | None
        if not text or (parsed is not None and parsed == 0):
            amount = None
        else:
            amount = parsed if parsed is not None else text
        method = self.method_combo.currentData() if amount is not None else None
        actor = self._ctx.actor
        self._set_busy(True, self.tr("Saving…"))
        save_keyed(self._ctx, lambda uow, key: pickup_ticket(
            uow=uow, actor=actor, ticket_id=ticket.id, expected_version=ticket.version,
            payment_amount=amount, method=method, request_key=key), self.request_key,
            on_done=self._on_handed, on_error=self._on_failed, owner=self)

    def _on_handed(self, ticket: TicketView) -> None:
        self.result_ticket = ticket
        self.ticket = None
        self.printable = ticket
        # The details show the ticket as saved: paid, open, handed over.
        self._show_details(ticket)
        self.amount_edit.clear()
        self._set_busy(False, self.tr("{number} handed over; paid {amount}.").format(
            number=ticket.number, amount=format_yuan(ticket.paid_amount)))
        self.handed_over.emit(ticket)
        self.print_pickup_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def print_pickup(self) -> None:
        """Preview (and print) the pickup receipt of the ticket handed over or ready."""
        ticket = self.printable
        if ticket is None or self._busy or not self.print_pickup_button.isEnabled():
            return
        self.preview = open_print_preview(self._ctx, "pickup", [ticket.id], self)

    def print_receipt(self) -> None:
        """Preview (and print) the payment receipts of the money taken for the ticket."""
        ticket = self.printable
        if ticket is None or self._busy or not self.print_receipt_button.isEnabled():
            return
        actor, tid = self._ctx.actor, ticket.id

        def opened(ids: tuple[int, ...]) -> None:
            if not ids:
                self._set_busy(False, self.tr("No payment of this ticket to print."),
                               error=True)
                return
            self._set_busy(False)
            self.preview = open_print_preview(self._ctx, "receipt", list(ids), self)

        self._set_busy(True, self.tr("Looking up…"))
        self._ctx.run(lambda uow: ticket_payment_ids(uow=uow, actor=actor, ticket_id=tid),
                      on_done=opened,
                      on_error=lambda e: self._set_busy(False, str(e), error=True), owner=self)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            unplaced = self.errors.place(error.errors)
            self._set_busy(False, self.tr("Not handed over: please correct the marked fields.")
                           + (" " + "; ".join(unplaced) if unplaced else ""), error=True)
        else:
            self._set_busy(False, self.tr("Not handed over."), error=True)
            self.errors.place({"number": str(error)})

    def _set_busy(self, busy: bool, text: str = "", *, error: bool = False) -> None:
        self._busy = busy
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
        self._update_actions()

    def _update_actions(self) -> None:
        ready = self.ticket is not None and not self._busy
        self.hand_button.setEnabled(ready)
        self.amount_edit.setEnabled(ready)
        self.method_combo.setEnabled(ready)
        printable = self.printable is not None and not self._busy
        self.print_pickup_button.setVisible(
            self._ctx.can(Module.SERVICE_TICKETS, Operation.PRINT))
        self.print_pickup_button.setEnabled(printable)
        self.print_receipt_button.setVisible(self._ctx.can(Module.PAYMENTS, Operation.PRINT))
        self.print_receipt_button.setEnabled(
            printable and self.printable is not None and self.printable.paid_amount > 0)


# --- openers ---------------------------------------------------------------------------------


def open_intake(ctx: AppContext, parent: QWidget | None = None,
                customer_id: int | None = None) -> QDialog:
    return keep_open(IntakeDialog(ctx, parent, customer_id=customer_id))


def open_pickup(ctx: AppContext, parent: QWidget | None = None,
                number: str | None = None) -> QDialog:
    return keep_open(PickupDialog(ctx, parent, number=number))
