"""The customer card (客户档案): create or edit a customer with its contacts, addresses, devices.

Loading and saving run on the database worker (``ctx.run``), so the window never waits on
the server. Made for the counter: Enter moves to the next field, Ctrl+S saves, Esc closes
(asking first when something was typed). While a new customer is typed, existing customers
with the same phone or a similar name are listed so nobody creates a second card.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.labels import DUPLICATE_REASON, code_label
from app.models.enums import CustomFieldEntity, Module, Operation
from app.saving import new_request_key
from app.services.custom_fields import FieldDefinition, display_value, plain_number
from app.services.custom_fields import definitions as custom_field_definitions
from app.services.customers import (
    AddressDraft,
    ContactDraft,
    CustomerDetail,
    CustomerDraft,
    DeviceDraft,
    DeviceView,
    DuplicateHit,
    create_customer,
    find_duplicates,
    get_customer,
    update_customer,
)
from app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.services.users import UserChoice
from app.ui import labels
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.customers.child_custom import ChildCustomFieldsDialog
from app.ui.customers.entry_table import EntryColumn, EntryTable
from app.ui.customers.owners import load_owner_choices, may_reassign, owner_texts
from app.ui.errors import show_error
from app.ui.formatting import format_local_datetime
from app.ui.saving import save_keyed

DUPLICATE_DEBOUNCE_MS = 400
MAX_HITS_SHOWN = 5
FIELD_ERROR_STYLE = "border: 1px solid #c62828; background: #fff5f5;"
ERROR_COLOUR = "#b00020"
_CHILD_FIELD = re.compile(r"^(contacts|addresses|devices)\[(\d+)\]\.(\w+)$")
# A contact's or device's custom field: "contacts[0].custom.<code>".
_CHILD_CUSTOM = re.compile(r"^(contacts|devices)\[(\d+)\]\.custom\.(\w+)$")
# The card's rows that carry custom fields, and the kind of record they are.
_CUSTOM_CHILDREN = {"contacts": CustomFieldEntity.CONTACT, "devices": CustomFieldEntity.DEVICE}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Top-level fields in the order the card shows them (and the conflict dialog lists them).
PHONE_EXAMPLE = "010-6253 8888"
_FIELDS = ("name", "short_name", "phone", "email", "kind", "source", "customer_class",
           "status", "industry", "website", "tax_number", "owner_id", "notes")
_CHILDREN = ("contacts", "addresses", "devices")


class CustomerCardDialog(QDialog):
    """The customer card: a new customer (``customer_id`` None) or an existing one to edit.

    Open it with ``show()``; it never blocks. After a save it stays open on the saved record.

    Signals:
        saved(CustomerDetail): the customer was saved (created or updated).
        open_existing(int): "Open the existing one" on a possible duplicate.
    """

    saved = Signal(object)
    open_existing = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        customer_id: int | None = None,
        parent: QWidget | None = None,
        *,
        duplicate_debounce_ms: int = DUPLICATE_DEBOUNCE_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customer_card")
        self._ctx = ctx
        self._customer_id = customer_id
        self._detail: CustomerDetail | None = None
        self._baseline: CustomerDraft | None = None
        self._loaded = False
        self._busy = False
        self._filling = False
        self._discard_confirmed = False
        # Taken when the card opens: creating it again after a lost answer saves it once.
        self.request_key = new_request_key()
        self._may_reassign = may_reassign(ctx)
        self._owner_users: list[tuple[int, str]] = []
        self._shown_owner_id: int | None = None
        # confirm_close(): told whether the card may close once "Save" has run its course.
        self._after_save: Callable[[bool], None] | None = None
        self._close_listener: Callable[[bool], None] | None = None
        self._focus_before_busy: QWidget | None = None
        self._row_maps: dict[str, list[int]] = {}
        self._errors: dict[str, str] = {}
        # Duplicate check (creating only).
        self._dup_serial = 0
        self._dup_in_flight = False
        self._dup_checked: tuple[str, str, tuple[str, ...]] | None = None
        self._dup_hits: tuple[DuplicateHit, ...] = ()
        self._confirmed_hits: frozenset[int] = frozenset()
        self._save_after_check = False
        self.confirm_box: QMessageBox | None = None
        self.discard_box: QMessageBox | None = None
        self.close_box: QMessageBox | None = None
        self.conflict_dialog: CustomerConflictDialog | None = None

        self._titles = {
            "name": self.tr("Name"),
            "short_name": self.tr("Short name"),
            "kind": self.tr("Kind"),
            "source": self.tr("Customer source"),
            "customer_class": self.tr("Customer class"),
            "status": self.tr("Status"),
            "owner_id": self.tr("Owner"),
            "phone": self.tr("Phone"),
            "email": self.tr("E-mail"),
            "industry": self.tr("Industry"),
            "tax_number": self.tr("Tax number"),
            "website": self.tr("Website"),
            "notes": self.tr("Notes"),
            "contacts": self.tr("Contacts"),
            "addresses": self.tr("Addresses"),
            "devices": self.tr("Devices"),
            "custom": self.tr("Custom fields"),
        }
        self._build()
        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(duplicate_debounce_ms)
        self._dup_timer.timeout.connect(self.check_duplicates)
        self.resize(1000, 700)

        if self._may_reassign:
            load_owner_choices(ctx, on_done=self._on_owners_loaded,
                               on_error=self._on_owners_failed, owner=self)
        if customer_id is None:
            self._start_new()
        else:
            self.reload()

    # --- public ---------------------------------------------------------------------------

    @property
    def customer_id(self) -> int | None:
        return self._customer_id

    @property
    def is_creating(self) -> bool:
        return self._customer_id is None

    @property
    def detail(self) -> CustomerDetail | None:
        return self._detail

    @property
    def is_busy(self) -> bool:
        return self._busy

    def is_modified(self) -> bool:
        """Whether the card holds typing that is not saved."""
        if not self._loaded or self._baseline is None:
            return False
        return self.current_draft() != self._baseline

    def can_close(self) -> bool:
        """Whether the card may close without asking: nothing typed is left unsaved."""
        self._commit_editors()
        return self._discard_confirmed or not self.is_modified()

    def confirm_close(self, on_done: Callable[[bool], None]) -> None:
        """Before the main window closes or the user logs out: Save, Discard or Cancel?

        ``on_done(True)`` when the card may close (nothing unsaved, the changes were saved,
        or the user discarded them); ``on_done(False)`` when the user cancelled or saving
        failed (the card shows why and stays open). Never blocks: the question is opened
        with ``open()`` and answered through ``on_done``.
        """
        if self.can_close():
            on_done(True)
            return
        self._answer_close(False)  # a question still open is superseded by this one
        self._close_listener = on_done
        self.show()
        self.raise_()
        self.activateWindow()
        Button = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Unsaved changes"),
            self.tr("Discard changes in “{customer}”?").format(customer=self._close_name()),
            Button.Save | Button.Discard | Button.Cancel, self)
        box.setObjectName("close_box")
        box.setInformativeText(self.tr("This customer card has changes that are not saved."))
        box.button(Button.Save).setText(self.tr("Save"))
        box.button(Button.Discard).setText(self.tr("Discard changes"))
        box.button(Button.Cancel).setText(self.tr("Cancel"))
        box.setDefaultButton(Button.Save)
        box.setEscapeButton(Button.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            choice = box.standardButton(clicked) if clicked is not None else Button.Cancel
            if choice == Button.Save:
                self._after_save = self._answer_close
                self.save()
            elif choice == Button.Discard:
                self._discard_confirmed = True
                self._answer_close(True)
            else:
                self._answer_close(False)

        box.finished.connect(answered)
        self.close_box = box
        box.open()

    def error_label(self, field: str) -> QLabel:
        """The label that shows the message of ``field`` (or of a table: "contacts"...)."""
        return self._error_labels[field]

    def field_error(self, field: str) -> str:
        """The message shown at ``field`` (empty when it has none)."""
        return self._errors.get(field, "")

    def reload(self) -> None:
        """Load the customer from the database, replacing what the card shows."""
        if self._customer_id is None:
            return
        actor, customer_id = self._ctx.actor, self._customer_id
        self._set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_customer(uow=uow, actor=actor, customer_id=customer_id),
                      on_done=self._on_loaded, on_error=self._on_load_failed, owner=self)

    def save(self) -> None:
        """Ctrl+S: check for duplicates of a new customer, then save on the worker."""
        if self._busy or not self._loaded or not self._may_save():
            self._report_save(False)
            return
        self._commit_editors()
        if self.is_creating:
            if (self._dup_timer.isActive() or self._dup_in_flight
                    or self._dup_checked != self._duplicate_query()):
                # The clerk typed faster than the debounce: check now, then go on.
                self._save_after_check = True
                self._set_busy(True, self.tr("Checking for existing customers…"))
                self.check_duplicates()
                return
            if self._dup_hits and not {h.id for h in self._dup_hits} <= self._confirmed_hits:
                self._ask_create_anyway()
                return
        self._submit()

    def check_duplicates(self) -> None:
        """Ask the worker which customers look like the one being typed (creating only)."""
        self._dup_timer.stop()
        if not self.is_creating:
            return
        query = self._duplicate_query()
        self._dup_serial += 1
        serial = self._dup_serial
        name, phone, contact_phones = query
        if not name and not phone and not contact_phones:
            self._on_duplicates(serial, query, ())
            return
        actor = self._ctx.actor
        self._dup_in_flight = True
        self._ctx.run(
            lambda uow: find_duplicates(uow=uow, actor=actor, name=name, phone=phone or None,
                                        contact_phones=contact_phones),
            on_done=lambda hits: self._on_duplicates(serial, query, hits),
            on_error=lambda error: self._on_duplicates_failed(serial, query, error),
            owner=self)

    def current_draft(self) -> CustomerDraft:
        """What the card shows, as the service takes it (remembers which row is which)."""
        maps: dict[str, list[int]] = {name: [] for name in _CHILDREN}
        contacts = []
        for row, v in self.contacts_table.entries():
            maps["contacts"].append(row)
            contacts.append(ContactDraft(
                name=v["name"] or "", title=v["title"], phone=v["phone"], mobile=v["mobile"],
                email=v["email"], birthday=_date_value(v["birthday"]),
                is_primary=bool(v["is_primary"]), notes=v["_meta"].get("notes"),
                id=v["_meta"].get("id"), custom=dict(v["_meta"].get("custom") or {})))
        addresses = []
        for row, v in self.addresses_table.entries():
            maps["addresses"].append(row)
            addresses.append(AddressDraft(
                street=v["street"] or "", kind=v["kind"] or "", city=v["city"],
                district=v["district"], postal_code=v["postal_code"],
                is_default=bool(v["is_default"]), id=v["_meta"].get("id")))
        devices = []
        for row, v in self.devices_table.entries():
            maps["devices"].append(row)
            devices.append(DeviceDraft(
                brand=v["brand"] or "", model=v["model"] or "",
                serial_number=v["serial_number"] or "",
                install_date=_date_value(v["install_date"]), location=v["location"],
                status=v["status"] or "", notes=v["_meta"].get("notes"),
                new_reading=_int_value(v["new_reading"]), id=v["_meta"].get("id"),
                custom=dict(v["_meta"].get("custom") or {})))
        self._row_maps = maps
        return CustomerDraft(
            name=self.name_edit.text().strip(),
            kind=self.kind_combo.currentData() or "",
            short_name=_text(self.short_name_edit.text()),
            source=self.source_combo.currentData() or "",
            customer_class=self.class_combo.currentData() or "",
            status=self.status_combo.currentData() or "",
            owner_id=self._owner_id(),
            phone=_text(self.phone_edit.text()),
            email=_text(self.email_edit.text()),
            industry=_text(self.industry_edit.text()),
            tax_number=_text(self.tax_edit.text()),
            website=_text(self.website_edit.text()),
            notes=_text(self.notes_edit.toPlainText()),
            contacts=tuple(contacts), addresses=tuple(addresses), devices=tuple(devices),
            custom=self.custom_form.values(),
        )

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.title_label = QLabel(self)
        self.title_label.setObjectName("card_title")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.code_label = QLabel(self)
        self.code_label.setObjectName("card_code")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.code_label)

        self.body = QWidget(self)
        self.body.setObjectName("card_body")
        self.name_edit = self._line_edit("name", 200)
        self.name_edit.setPlaceholderText(self.tr("Required: company or person"))
        self.short_name_edit = self._line_edit("short_name", 100)
        self.phone_edit = self._line_edit("phone", 40)
        self.phone_edit.setPlaceholderText(PHONE_EXAMPLE)
        self.email_edit = self._line_edit("email", 200)
        self.kind_combo = self._combo("kind", labels.customer_kinds())
        self.source_combo = self._combo("source", labels.customer_sources())
        self.class_combo = self._combo("customer_class", labels.customer_classes())
        self.status_combo = self._combo("status", labels.customer_statuses())
        self.industry_edit = self._line_edit("industry", 100)
        self.website_edit = self._line_edit("website", 200)
        self.tax_edit = self._line_edit("tax_number", 40)
        # Management picks the owner; everybody else sees who it is.
        self.owner_label = QLabel(self.body)
        self.owner_label.setObjectName("owner_label")
        self.owner_label.setToolTip(self.tr("The salesperson responsible for this customer"))
        self.owner_combo = QComboBox(self.body)
        self.owner_combo.setObjectName("owner_combo")
        self.owner_combo.setToolTip(self.tr("The salesperson responsible for this customer; "
                                            "choose another to hand the customer over"))
        self.owner_label.setVisible(not self._may_reassign)
        self.owner_combo.setVisible(self._may_reassign)
        owner_widget: QWidget = self.owner_combo if self._may_reassign else self.owner_label
        self.notes_edit = QPlainTextEdit(self.body)
        self.notes_edit.setObjectName("notes_edit")
        self.notes_edit.setTabChangesFocus(True)

        self._field_widgets: dict[str, QWidget] = {
            "name": self.name_edit, "short_name": self.short_name_edit,
            "phone": self.phone_edit, "email": self.email_edit, "kind": self.kind_combo,
            "source": self.source_combo, "customer_class": self.class_combo,
            "status": self.status_combo, "industry": self.industry_edit,
            "website": self.website_edit, "tax_number": self.tax_edit,
            "owner_id": owner_widget, "notes": self.notes_edit,
        }
        self._error_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        pairs = (("name", "short_name"), ("phone", "email"), ("kind", "source"),
                 ("customer_class", "status"), ("industry", "website"),
                 ("tax_number", "owner_id"))
        for row, pair in enumerate(pairs):
            for side, field in enumerate(pair):
                self._add_field(grid, row, side, field)

        self.duplicate_panel = DuplicatePanel(self.body)
        self.duplicate_panel.open_requested.connect(self.open_existing)

        self.contacts_table = EntryTable(self._contact_columns(), self.body)
        self.contacts_table.setObjectName("contacts_table")
        self.addresses_table = EntryTable(self._address_columns(), self.body)
        self.addresses_table.setObjectName("addresses_table")
        self.devices_table = EntryTable(self._device_columns(), self.body)
        self.devices_table.setObjectName("devices_table")
        self._tables = {"contacts": self.contacts_table, "addresses": self.addresses_table,
                        "devices": self.devices_table}
        self.tabs = QTabWidget(self.body)
        self.tabs.setObjectName("card_tabs")
        self._table_errors: dict[str, QLabel] = {}
        self._remove_buttons: dict[str, QPushButton] = {}
        self._custom_buttons: dict[str, QPushButton] = {}
        self._child_fields: dict[str, tuple[FieldDefinition, ...]] = {
            name: () for name in _CUSTOM_CHILDREN}
        self._child_errors: dict[tuple[str, int], dict[str, str]] = {}
        self.child_dialog: ChildCustomFieldsDialog | None = None
        for name, table in self._tables.items():
            self.tabs.addTab(self._table_page(name, table), self._titles[name])
        notes_page = QWidget(self.tabs)
        notes_layout = QVBoxLayout(notes_page)
        notes_layout.addWidget(self.notes_edit)
        notes_error = self._make_error_label("notes", notes_page)
        notes_layout.addWidget(notes_error)
        self.tabs.addTab(notes_page, self._titles["notes"])
        # The administrator's custom fields (自定义字段): the first tab, shown when any exist.
        self.custom_form = CustomFieldsForm((), self.body, language=self._ctx.language)
        self.custom_form.setEnabled(False)
        self.custom_form.edited.connect(self._on_custom_edited)
        self.custom_form.leave_forward.connect(lambda: self._focus_after(self.custom_form))
        custom_scroll = QScrollArea(self.tabs)
        custom_scroll.setObjectName("custom_fields_page")
        custom_scroll.setWidgetResizable(True)
        custom_scroll.setFrameShape(QFrame.Shape.NoFrame)
        custom_scroll.setWidget(self.custom_form)
        self.tabs.insertTab(0, custom_scroll, self._titles["custom"])
        self.tabs.setTabVisible(0, False)
        self.tabs.setCurrentIndex(1)

        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(grid)
        body.addWidget(self.duplicate_panel)
        body.addWidget(self.tabs, 1)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("card_status")
        self.status_label.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setToolTip(self.tr("Save the customer card (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("close_button")
        self.close_button.setToolTip(self.tr("Close the card (Esc)"))
        self.close_button.clicked.connect(self.reject)
        for button in (self.save_button, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.body, 1)
        layout.addLayout(buttons)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

        # Enter walks this chain; Tab follows the same order through the form: down the
        # left column, then down the right one, as the form is read (名称 → 电话 → 类型 …
        # → 简称 → 邮箱 …), so a phone typed after the name lands under 电话, not 简称.
        form: list[QWidget] = [self._field_widgets[pair[side]] for side in (0, 1)
                               for pair in pairs if pair[side] != "owner_id"]
        if self._may_reassign:
            form.append(self.owner_combo)
        self._chain: list[QWidget] = [
            *form, self.custom_form, self.contacts_table, self.addresses_table,
            self.devices_table, self.notes_edit,
        ]
        for widget in form:
            widget.installEventFilter(self)
        tab_order = [*form, self.tabs, self.contacts_table, self.addresses_table,
                     self.devices_table, self.notes_edit, self.save_button, self.close_button]
        for first, second in zip(tab_order, tab_order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        for table in self._tables.values():
            table.leave_forward.connect(lambda t=table: self._focus_after(t))
            table.edited.connect(self._on_table_edited)
            table.currentCellChanged.connect(lambda *_args: self._update_remove_buttons())

        self.name_edit.textChanged.connect(self._schedule_duplicate_check)
        self.phone_edit.textChanged.connect(self._schedule_duplicate_check)
        for field, widget in self._field_widgets.items():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda _t, f=field: self._clear_field_error(f))
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(
                    lambda _i, f=field: self._clear_field_error(f))
        self.notes_edit.textChanged.connect(lambda: self._clear_field_error("notes"))

    def _line_edit(self, field: str, max_length: int) -> QLineEdit:
        edit = QLineEdit(self.body)
        edit.setObjectName(f"{field}_edit")
        edit.setMaxLength(max_length)
        return edit

    def _combo(self, field: str, choices: Sequence[tuple[Any, str]]) -> QComboBox:
        combo = QComboBox(self.body)
        combo.setObjectName(f"{field}_combo")
        for value, label in choices:
            combo.addItem(label, str(value))
        return combo

    def _make_error_label(self, field: str, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(f"{field}_error")
        label.setStyleSheet(f"color: {ERROR_COLOUR};")
        label.setWordWrap(True)
        label.hide()
        self._error_labels[field] = label
        return label

    def _add_field(self, grid: QGridLayout, row: int, side: int, field: str) -> None:
        widget = self._field_widgets[field]
        label = QLabel(self.tr("{field}:").format(field=self._titles[field]), self.body)
        label.setObjectName(f"{field}_label")
        label.setBuddy(widget)
        label.setMinimumHeight(self.name_edit.sizeHint().height())
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        cell = QVBoxLayout()
        cell.setSpacing(2)
        if field == "owner_id":
            cell.addWidget(self.owner_label)  # only one of the two is shown
            cell.addWidget(self.owner_combo)
        else:
            cell.addWidget(widget)
        cell.addWidget(self._make_error_label(field, self.body))
        grid.addWidget(label, row, side * 2, Qt.AlignmentFlag.AlignTop)
        grid.addLayout(cell, row, side * 2 + 1)

    def _table_page(self, name: str, table: EntryTable) -> QWidget:
        page = QWidget(self.tabs)
        error = self._make_error_label(name, page)
        self._table_errors[name] = error
        remove = QPushButton(self.tr("Remove row"), page)
        remove.setObjectName(f"{name}_remove_button")
        remove.setAutoDefault(False)
        remove.setEnabled(False)
        remove.clicked.connect(table.remove_current_row)
        remove.clicked.connect(self._update_remove_buttons)
        self._remove_buttons[name] = remove
        custom_button: QPushButton | None = None
        if name in _CUSTOM_CHILDREN:
            custom_button = QPushButton(self.tr("Custom fields…"), page)
            custom_button.setObjectName(f"{name}_custom_button")
            custom_button.setAutoDefault(False)
            custom_button.setEnabled(False)
            custom_button.setVisible(False)
            custom_button.setToolTip(self.tr("The custom fields of the selected row (F4)"))
            custom_button.clicked.connect(lambda _c=False, n=name: self.open_child_custom(n))
            self._custom_buttons[name] = custom_button
            table.details_requested.connect(lambda n=name: self.open_child_custom(n))
        hint = QLabel(self.tr("Type into the last row to add one; Enter moves to the next cell."),
                      page)
        hint.setObjectName(f"{name}_hint")
        hint.setStyleSheet("color: #5f6368;")
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        if custom_button is not None:
            bottom.addWidget(custom_button)
        bottom.addWidget(remove)
        layout = QVBoxLayout(page)
        layout.addWidget(table, 1)
        layout.addWidget(error)
        layout.addLayout(bottom)
        return page

    def _contact_columns(self) -> list[EntryColumn]:
        return [
            EntryColumn("name", self.tr("Name", "contact person"), width=110, max_length=100),
            EntryColumn("title", self.tr("Title"), width=100, max_length=100),
            EntryColumn("phone", self.tr("Phone"), width=125, max_length=40),
            EntryColumn("mobile", self.tr("Mobile"), width=125, max_length=40),
            EntryColumn("email", self.tr("E-mail"), width=180, max_length=200),
            EntryColumn("birthday", self.tr("Birthday"), "date", width=100),
            EntryColumn("is_primary", self.tr("Primary"), "bool", width=70, exclusive=True),
        ]

    def _address_columns(self) -> list[EntryColumn]:
        kinds = tuple((str(k), label) for k, label in labels.address_kinds())
        return [
            EntryColumn("kind", self.tr("Kind"), "choice", width=90, choices=kinds,
                        default=kinds[0][0]),
            EntryColumn("city", self.tr("City"), width=90, max_length=100),
            EntryColumn("district", self.tr("District"), width=100, max_length=100),
            EntryColumn("street", self.tr("Street"), width=300, max_length=200),
            EntryColumn("postal_code", self.tr("Postal code"), width=90, max_length=20),
            EntryColumn("is_default", self.tr("Default"), "bool", width=70, exclusive=True),
        ]

    def _device_columns(self) -> list[EntryColumn]:
        statuses = tuple((str(s), label) for s, label in labels.device_statuses())
        return [
            EntryColumn("brand", self.tr("Brand"), width=90, max_length=100),
            EntryColumn("model", self.tr("Model"), width=120, max_length=100),
            EntryColumn("serial_number", self.tr("Serial number"), width=130, max_length=60),
            EntryColumn("install_date", self.tr("Installed on"), "date", width=100),
            EntryColumn("location", self.tr("Location"), width=130, max_length=200),
            EntryColumn("status", self.tr("Status"), "choice", width=80, choices=statuses,
                        default=statuses[0][0]),
            EntryColumn("last_reading", self.tr("Last meter reading"), "readonly", width=150),
            EntryColumn("new_reading", self.tr("New meter reading"), "int", width=110,
                        max_length=12),
        ]

    # --- loading and filling --------------------------------------------------------------

    def _start_new(self) -> None:
        self.setWindowTitle(self.tr("New customer"))
        self.title_label.setText(self.tr("New customer"))
        self.code_label.setText(self.tr("The number is given on saving"))
        self._show_owner(self._ctx.actor.user_id, self._ctx.actor.display_name)
        defaults = CustomerDraft(name="")
        _choose(self.kind_combo, defaults.kind)
        _choose(self.source_combo, defaults.source)
        _choose(self.class_combo, defaults.customer_class)
        _choose(self.status_combo, defaults.status)
        self._loaded = True
        self._set_busy(False, "")
        self._baseline = self.current_draft()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        actor = self._ctx.actor
        self._ctx.run(lambda uow: custom_field_definitions(
            uow=uow, actor=actor, entity=CustomFieldEntity.CUSTOMER),
            on_done=self._on_custom_definitions, on_error=lambda _error: None, owner=self)
        self._ctx.run(lambda uow: tuple(custom_field_definitions(
            uow=uow, actor=actor, entity=entity) for entity in _CUSTOM_CHILDREN.values()),
            on_done=self._on_child_definitions, on_error=lambda _error: None, owner=self)

    def _on_child_definitions(self, loaded: tuple[tuple[FieldDefinition, ...], ...]) -> None:
        for name, fields in zip(_CUSTOM_CHILDREN, loaded, strict=True):
            self._set_child_fields(name, fields)

    def _set_child_fields(self, name: str, fields: tuple[FieldDefinition, ...]) -> None:
        self._child_fields[name] = tuple(fields)
        self._custom_buttons[name].setVisible(bool(fields))
        self._update_remove_buttons()

    def open_child_custom(self, name: str) -> ChildCustomFieldsDialog | None:
        """F4 / "Custom fields…": edit the custom fields of the selected contact or device."""
        table = self._tables[name]
        row = table.currentRow()
        fields = self._child_fields.get(name, ())
        if not fields or row < 0 or table.row_is_blank(row):
            return None
        self._commit_editors()
        meta = table.row_meta(row)
        stored = meta.get("custom")
        values = table.entries_row(row)
        who = (values.get("name") if name == "contacts"
               else " ".join(str(values.get(k) or "") for k in ("brand", "model",
                                                                  "serial_number")).strip())
        title = self.tr("{what}: {name}").format(
            what=self._titles[name], name=who or self.tr("Row {row}").format(row=row + 1))
        dialog = ChildCustomFieldsDialog(
            fields, stored or {}, title, self, errors=self._child_errors.get((name, row)),
            defaults=stored is None and meta.get("id") is None,
            read_only=not self._may_save(), language=self._ctx.language)
        dialog.applied.connect(lambda custom, n=name, r=row: self._apply_child_custom(
            n, r, custom))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.child_dialog = dialog
        dialog.open()
        return dialog

    def _apply_child_custom(self, name: str, row: int, custom: dict[str, Any]) -> None:
        table = self._tables[name]
        if not 0 <= row < table.rowCount():
            return
        table.set_row_meta(row, {**table.row_meta(row), "custom": dict(custom)})
        if self._child_errors.pop((name, row), None) is not None:
            first = table.columns[0].key
            table.unmark(row, first)
            for key in [k for k in self._errors if (m := _CHILD_CUSTOM.match(k))
                        and m[1] == name and self._row_of(name, int(m[2])) == row]:
                del self._errors[key]
            self._update_tab_titles()

    def _row_of(self, name: str, index: int) -> int:
        rows = self._row_maps.get(name, [])
        return rows[index] if index < len(rows) else index

    def _on_custom_definitions(self, fields: tuple[FieldDefinition, ...]) -> None:
        """A new card: show the custom fields with their defaults."""
        untouched = not self.is_modified()
        self._set_custom_fields(fields)
        self.custom_form.set_values({}, defaults=True)
        if untouched:
            self._baseline = self.current_draft()

    def _set_custom_fields(self, fields: tuple[FieldDefinition, ...]) -> None:
        self.custom_form.set_definitions(fields)
        has_fields = bool(self.custom_form.definitions)
        self.custom_form.setEnabled(has_fields)
        was_visible = self.tabs.isTabVisible(0)
        self.tabs.setTabVisible(0, has_fields)
        if has_fields and not was_visible:
            self.tabs.setCurrentIndex(0)

    def _on_custom_edited(self, code: str) -> None:
        if self._errors.pop(f"custom.{code}", None) is not None:
            self._update_tab_titles()

    def _on_loaded(self, detail: CustomerDetail) -> None:
        self._fill(detail)
        self._loaded = True
        self._set_busy(False, "")
        if not self._may_save():
            self._set_status(self.tr("You may look at this customer but not change it."))
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_load_failed(self, error: BaseException) -> None:
        if not self._loaded and isinstance(error, PermissionDenied | NotFound):
            # Nothing to show (another salesperson's customer, or gone): say so and close
            # rather than leave an empty card whose placeholders look like data.
            show_error(self.parentWidget(), error)
            self.reject()
            return
        self._set_busy(False, self.tr("The customer could not be loaded."), error=True)
        self.body.setEnabled(self._loaded and self._may_save())
        show_error(self, error)

    def _fill(self, detail: CustomerDetail) -> None:
        self._filling = True
        try:
            self._detail = detail
            self._customer_id = detail.id
            title = self.tr("Customer card — {name}").format(name=detail.name)
            self.setWindowTitle(title)
            self.title_label.setText(title)
            self.code_label.setText(self.tr("No. {code}").format(code=detail.code))
            self.code_label.setToolTip(self.tr("Last saved by {user} at {time}").format(
                user=detail.updated_by_name or "?",
                time=format_local_datetime(detail.updated_at)))
            self.name_edit.setText(detail.name)
            self.short_name_edit.setText(detail.short_name or "")
            self.phone_edit.setText(detail.phone or "")
            self.email_edit.setText(detail.email or "")
            _choose(self.kind_combo, detail.kind)
            _choose(self.source_combo, detail.source)
            _choose(self.class_combo, detail.customer_class)
            _choose(self.status_combo, detail.status)
            self.industry_edit.setText(detail.industry or "")
            self.website_edit.setText(detail.website or "")
            self.tax_edit.setText(detail.tax_number or "")
            self._show_owner(detail.owner_id, detail.owner_name)
            self.notes_edit.setPlainText(detail.notes or "")
            self._set_custom_fields(detail.custom_fields)
            self.custom_form.set_values(detail.custom)
            self.contacts_table.set_rows([
                ({"name": c.name, "title": c.title, "phone": c.phone, "mobile": c.mobile,
                  "email": c.email, "birthday": _date_text(c.birthday),
                  "is_primary": c.is_primary},
                 {"id": c.id, "notes": c.notes, "custom": dict(c.custom)})
                for c in detail.contacts])
            self.addresses_table.set_rows([
                ({"kind": str(a.kind), "city": a.city, "district": a.district,
                  "street": a.street, "postal_code": a.postal_code,
                  "is_default": a.is_default},
                 {"id": a.id})
                for a in detail.addresses])
            self.devices_table.set_rows([
                ({"brand": d.brand, "model": d.model, "serial_number": d.serial_number,
                  "install_date": _date_text(d.install_date), "location": d.location,
                  "status": str(d.status), "last_reading": self._reading_text(d)},
                 # A device with a history is retired through its status, never removed.
                 {"id": d.id, "notes": d.notes, "keep": True, "custom": dict(d.custom)})
                for d in detail.devices])
            self._set_child_fields("contacts", detail.contact_fields)
            self._set_child_fields("devices", detail.device_fields)
            self._apply_phone_access(detail)
        finally:
            self._filling = False
        self._clear_errors()
        self.duplicate_panel.show_hits(())
        self._dup_hits = ()
        self._update_tab_titles()
        self._update_remove_buttons()
        self._baseline = self.current_draft()

    def _reading_text(self, device: DeviceView) -> str:
        if device.last_reading is None:
            return ""
        if device.last_reading_at is None:
            return f"{device.last_reading:,}"
        return self.tr("{value} on {date}").format(
            value=f"{device.last_reading:,}",
            date=format_local_datetime(device.last_reading_at)[:10])

    def _apply_phone_access(self, detail: CustomerDetail) -> None:
        """Phone numbers the role may not see or change (``customers.phone`` of customers
        the user does not own) are read-only; hidden ones say so instead of a blank."""
        edit = self.phone_edit
        if detail.phones_editable:
            edit.setReadOnly(False)
            edit.setPlaceholderText(PHONE_EXAMPLE)
            edit.setToolTip("")
            return
        if detail.phones_visible:
            tip = self.tr("Your role may not change the phone numbers of customers you "
                          "do not own.")
            placeholder = None
        else:
            tip = self.tr("Your role may not see the phone numbers of customers you "
                          "do not own.")
            placeholder = self.tr("(no permission)")
        edit.setReadOnly(True)
        edit.setPlaceholderText(placeholder or "")
        edit.setToolTip(tip)
        self.contacts_table.lock_saved_cells(("phone", "mobile"), placeholder, tip)

    # --- owner ----------------------------------------------------------------------------

    def _owner_id(self) -> int | None:
        if self._may_reassign:
            value = self.owner_combo.currentData()
            return value if isinstance(value, int) else None
        return self._shown_owner_id

    def _show_owner(self, owner_id: int | None, owner_name: str | None) -> None:
        self._shown_owner_id = owner_id
        name = owner_name or self.tr("(nobody)")
        self.owner_label.setText(name)
        if self._may_reassign:
            self._fill_owner_combo(owner_id, name)

    def _fill_owner_combo(self, selected: int | None, selected_text: str) -> None:
        combo = self.owner_combo
        entries = list(self._owner_users)
        if selected is not None and all(i != selected for i, _t in entries):
            entries.insert(0, (selected, selected_text))  # left, or not among OWNER_ROLES
        filling, self._filling = self._filling, True
        try:
            combo.clear()
            if selected is None:
                combo.addItem(self.tr("(nobody)"), None)
            for user_id, text in entries:
                combo.addItem(text, user_id)
            combo.setCurrentIndex(max(combo.findData(selected), 0) if selected is not None
                                  else 0)
        finally:
            self._filling = filling

    def _owner_text(self, owner_id: int | None) -> str:
        if owner_id is None:
            return "—"
        index = self.owner_combo.findData(owner_id)
        if index >= 0:
            return self.owner_combo.itemText(index)
        return self.owner_label.text() if owner_id == self._shown_owner_id else str(owner_id)

    def _on_owners_loaded(self, users: tuple[UserChoice, ...]) -> None:
        self._owner_users = owner_texts(users)
        if self._loaded:
            self._fill_owner_combo(self._owner_id(), self.owner_combo.currentText())

    def _on_owners_failed(self, _error: BaseException) -> None:
        # The card still shows the owner it has; only the other names are missing.
        self.owner_combo.setToolTip(self.tr("The list of people could not be read just now; "
                                            "close and open the card again to choose."))

    # --- saving ---------------------------------------------------------------------------

    def _may_save(self) -> bool:
        operation = Operation.CREATE if self.is_creating else Operation.EDIT
        return self._ctx.can(Module.CUSTOMERS, operation)

    def _submit(self, *, expected_version: int | None = None) -> None:
        draft = self.current_draft()
        actor = self._ctx.actor
        self._clear_errors()
        self._set_busy(True, self.tr("Saving…"))
        if self.is_creating:
            save_keyed(self._ctx, lambda uow, key: create_customer(
                uow=uow, actor=actor, draft=draft, request_key=key), self.request_key,
                on_done=self._on_saved,
                on_error=lambda error: self._on_save_failed(error, draft), owner=self)
            return
        customer_id = self._customer_id
        version = expected_version if expected_version is not None else (
            self._detail.version if self._detail is not None else 0)
        self._ctx.run(lambda uow: update_customer(
            uow=uow, actor=actor, customer_id=customer_id, expected_version=version,
            draft=draft), on_done=self._on_saved,
            on_error=lambda error: self._on_save_failed(error, draft), owner=self)

    def _on_saved(self, detail: CustomerDetail) -> None:
        self._fill(detail)
        self._set_busy(False, self.tr("Saved at {time}.").format(
            time=dt.datetime.now().strftime("%H:%M")))
        self.saved.emit(detail)
        self._report_save(True)

    def _on_save_failed(self, error: BaseException, draft: CustomerDraft) -> None:
        if isinstance(error, ValidationError):
            self._set_busy(False, "")
            self.show_validation(error.errors)
        elif isinstance(error, ConflictError):
            self._load_conflict(error, draft)
        elif (isinstance(error, PermissionDenied) and self._baseline is not None
              and draft.owner_id != self._baseline.owner_id):
            # Most likely the new owner is outside the user's data scope: say so there.
            self._set_busy(False, "")
            self.show_validation({"owner_id": self.tr(
                "You may not give this customer to {owner}.").format(
                    owner=self._owner_text(draft.owner_id))})
            self._field_widgets["owner_id"].setToolTip(str(error))  # the service's words
        else:
            self._set_busy(False, self.tr("Not saved. What you typed is still here."),
                           error=True)
            show_error(self, error)
        self._report_save(False)

    def _report_save(self, saved: bool) -> None:
        """Tell confirm_close() how its "Save" ended."""
        after, self._after_save = self._after_save, None
        if after is not None:
            after(saved)

    def _ask_create_anyway(self) -> None:
        hits = self._dup_hits
        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Create anyway?"),
            self.tr("Customers that look like this one already exist (see “Possibly already "
                    "a customer” on the card). Create a new customer anyway?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("duplicate_confirm_box")
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText(self.tr("Create anyway"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("Go back"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def confirmed() -> None:
            self._confirmed_hits = frozenset(h.id for h in hits)
            self._submit()

        def finished(_result: int) -> None:
            if box.clickedButton() is not yes:
                self._report_save(False)  # "Go back": nothing was saved

        yes.clicked.connect(confirmed)
        box.finished.connect(finished)
        self.confirm_box = box
        box.open()

    # --- validation -----------------------------------------------------------------------

    def show_validation(self, errors: dict[str, str]) -> None:
        """Mark every field named in ``errors`` and focus the first one."""
        self._clear_errors()
        self.current_draft()  # refresh the row maps: draft index → table row
        table_messages: dict[str, list[str]] = {name: [] for name in _CHILDREN}
        unplaced: list[str] = []
        others = self.custom_form.show_errors(errors)
        self._errors.update({k: m for k, m in errors.items() if k not in others})
        for field, message in others.items():
            custom_child = _CHILD_CUSTOM.match(field)
            if custom_child:
                name, index, code = custom_child[1], int(custom_child[2]), custom_child[3]
                table = self._tables[name]
                row = self._row_of(name, index)
                table.mark_error(row, table.columns[0].key, message)
                self._child_errors.setdefault((name, row), {})[f"custom.{code}"] = message
                label = next((f.label(self._ctx.language) for f in self._child_fields[name]
                              if f.code == code), code)
                table_messages[name].append(self.tr(
                    "Row {row}, {column}: {message} (F4 opens its custom fields)").format(
                    row=row + 1, column=label, message=message))
                self._errors[field] = message
                continue
            child = _CHILD_FIELD.match(field)
            if child:
                name, index, key = child[1], int(child[2]), child[3]
                table = self._tables[name]
                rows = self._row_maps.get(name, [])
                row = rows[index] if index < len(rows) else index
                table.mark_error(row, key, message)
                table_messages[name].append(self.tr("Row {row}, {column}: {message}").format(
                    row=row + 1, column=table.column_title(key), message=message))
                self._errors[field] = message
            elif field in self._field_widgets:
                self._mark_field(field, message)
            else:
                unplaced.append(f"{self._titles.get(field, field)}: {message}")
                self._errors[field] = message
        for name, messages in table_messages.items():
            label = self._table_errors[name]
            label.setText("\n".join(messages))
            label.setVisible(bool(messages))
        self._update_tab_titles()
        text = self.tr("Not saved: please correct the marked fields.")
        if unplaced:
            text += " " + "; ".join(unplaced)
        self._set_status(text, error=True)
        self._focus_first_error()

    def _mark_field(self, field: str, message: str) -> None:
        widget = self._field_widgets[field]
        self._errors[field] = message
        if not isinstance(widget, QLabel):
            widget.setStyleSheet(f"{type(widget).__name__} {{ {FIELD_ERROR_STYLE} }}")
        widget.setToolTip(message)
        label = self._error_labels[field]
        label.setText(message)
        label.show()

    def _clear_field_error(self, field: str) -> None:
        if self._filling or field not in self._errors:
            return
        del self._errors[field]
        widget = self._field_widgets[field]
        widget.setStyleSheet("")
        widget.setToolTip("")
        self._error_labels[field].hide()
        if field == "notes":
            self._update_tab_titles()

    def _clear_errors(self) -> None:
        for field in list(self._errors):
            if field in self._field_widgets:
                self._clear_field_error(field)
        self._errors.clear()
        self.custom_form.clear_errors()
        self._child_errors.clear()
        for name, table in self._tables.items():
            table.clear_marks()
            self._table_errors[name].hide()
        self._update_tab_titles()

    def _focus_first_error(self) -> None:
        for widget in self._chain:
            if widget is self.custom_form:
                if self.custom_form.has_errors():
                    self._show_page_of(widget)
                    self.custom_form.focus_first_error()
                    return
                continue
            if isinstance(widget, EntryTable):
                mark = widget.first_mark()
                if mark is not None:
                    self._show_page_of(widget)
                    widget.setFocus(Qt.FocusReason.OtherFocusReason)
                    widget.setCurrentCell(*mark)
                    widget.scrollTo(widget.currentIndex())
                    return
                continue
            field = next(f for f, w in self._field_widgets.items() if w is widget)
            if field in self._errors:
                self._show_page_of(widget)
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(widget, QLineEdit):
                    widget.selectAll()
                return

    # --- conflict -------------------------------------------------------------------------

    def _load_conflict(self, error: ConflictError, draft: CustomerDraft) -> None:
        actor, customer_id = self._ctx.actor, self._customer_id
        self._set_busy(True, self.tr("Someone else saved this customer meanwhile; loading "
                                     "their version…"))
        self._ctx.run(
            lambda uow: get_customer(uow=uow, actor=actor, customer_id=customer_id),
            on_done=lambda current: self._show_conflict(error, draft, current),
            on_error=self._on_conflict_load_failed, owner=self)

    def _on_conflict_load_failed(self, error: BaseException) -> None:
        self._set_busy(False, self.tr("Not saved. What you typed is still here."), error=True)
        show_error(self, error)

    def _show_conflict(self, error: ConflictError, draft: CustomerDraft,
                       current: CustomerDetail) -> None:
        self._set_busy(False, self.tr("Not saved: someone else changed this customer."),
                       error=True)
        dialog = CustomerConflictDialog(
            self, changed_by=error.changed_by or current.updated_by_name,
            changed_at=error.changed_at or current.updated_at,
            differences=self.differences(draft, current),
            can_overwrite=self._ctx.can(Module.CUSTOMERS, Operation.EDIT))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reload_requested.connect(self.reload)

        def overwrite() -> None:
            if not self._may_reassign:
                self._shown_owner_id = current.owner_id  # the owner is not this user's to set
            self._submit(expected_version=current.version)

        dialog.overwrite_requested.connect(overwrite)
        self.conflict_dialog = dialog
        dialog.open()

    def differences(self, draft: CustomerDraft,
                    current: CustomerDetail) -> list[tuple[str, str, str]]:
        """(field, what the user typed, what is saved) for every field that differs."""
        theirs = current.to_draft()
        rows = []
        for field in _FIELDS:
            mine_value, their_value = getattr(draft, field), getattr(theirs, field)
            if field == "owner_id":
                if self._may_reassign and mine_value != their_value:
                    rows.append((self._titles[field], self._owner_text(mine_value),
                                 current.owner_name or "—"))
                continue  # only management changes the owner
            if _comparable(mine_value) != _comparable(their_value):
                rows.append((self._titles[field], self._display(field, mine_value),
                             self._display(field, their_value)))
        if _comparable_custom(draft.custom) != _comparable_custom(theirs.custom):
            rows.append((self._titles["custom"], self._custom_lines(draft.custom),
                         self._custom_lines(theirs.custom)))
        for name in _CHILDREN:
            mine_lines = [self._child_line(name, c) for c in getattr(draft, name)]
            their_lines = [self._child_line(name, c) for c in getattr(theirs, name)]
            if mine_lines != their_lines:
                rows.append((self._titles[name], "\n".join(mine_lines) or "—",
                             "\n".join(their_lines) or "—"))
        return rows

    def _custom_lines(self, values: Any) -> str:
        lines = []
        for definition in self.custom_form.definitions:
            value = values.get(definition.code)
            if value in (None, "", ()):
                continue
            if isinstance(value, str) and definition.kind.value in ("number", "money"):
                lines.append(f"{definition.label(self._ctx.language)}: {value}")
                continue
            lines.append(f"{definition.label(self._ctx.language)}: "
                         f"{display_value(definition, value, self._ctx.language)}")
        return "\n".join(lines) or "—"

    def _display(self, field: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        describe = {"kind": labels.customer_kind_label, "source": labels.customer_source_label,
                    "customer_class": labels.customer_class_label,
                    "status": labels.customer_status_label}.get(field)
        return describe(value) if describe else str(value)

    def _child_line(self, name: str, child: Any) -> str:
        if name == "contacts":
            parts = [child.name, child.title, child.phone, child.mobile, child.email,
                     _comparable(child.birthday)]
            if child.is_primary:
                parts.append(self.tr("primary"))
        elif name == "addresses":
            parts = [labels.address_kind_label(child.kind), child.city, child.district,
                     child.street, child.postal_code]
            if child.is_default:
                parts.append(self.tr("default"))
        else:
            parts = [child.brand, child.model, child.serial_number,
                     _comparable(child.install_date), child.location,
                     labels.device_status_label(child.status)]
            if child.new_reading is not None:
                parts.append(self.tr("new reading {value}").format(value=child.new_reading))
        return self.tr(", ").join(str(p) for p in parts if p not in (None, ""))

    # --- duplicates -----------------------------------------------------------------------

    def _duplicate_query(self) -> tuple[str, str, tuple[str, ...]]:
        phones: list[str] = []
        for _row, values in self.contacts_table.entries():
            phones += [p for p in (values["phone"], values["mobile"]) if p]
        return (self.name_edit.text().strip(), self.phone_edit.text().strip(), tuple(phones))

    def _schedule_duplicate_check(self) -> None:
        if self.is_creating and not self._filling:
            self._dup_timer.start()

    def _on_duplicates(self, serial: int, query: tuple[str, str, tuple[str, ...]],
                       hits: tuple[DuplicateHit, ...]) -> None:
        if serial != self._dup_serial:
            return  # an older check; a newer one is on its way
        self._dup_in_flight = False
        self._dup_checked = query
        self._dup_hits = tuple(hits)
        self.duplicate_panel.show_hits(self._dup_hits)
        if self._save_after_check:
            self._save_after_check = False
            self._set_busy(False, "")
            self.save()

    def _on_duplicates_failed(self, serial: int, query: tuple[str, str, tuple[str, ...]],
                              error: BaseException) -> None:
        if serial != self._dup_serial:
            return
        self._dup_in_flight = False
        self.duplicate_panel.show_failure()
        if self._save_after_check:
            # Saving reports the problem itself (and succeeds if the server is back).
            self._save_after_check = False
            self._dup_checked = query
            self._dup_hits = ()
            self._set_busy(False, "")
            self._submit()

    # --- keyboard and focus ---------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in a form field moves to the next field instead of submitting."""
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in _ENTER_KEYS and isinstance(watched, QWidget)):
            if isinstance(watched, QComboBox) and watched.view().isVisible():
                return False
            self._focus_after(watched)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in _ENTER_KEYS:
            # Enter never submits the card: only a focused button reacts to it.
            focus = self.focusWidget()
            if isinstance(focus, QPushButton) and focus.isEnabled():
                focus.click()
            event.accept()
            return
        super().keyPressEvent(event)

    def _focus_after(self, widget: QWidget) -> None:
        try:
            index = self._chain.index(widget)
        except ValueError:
            return
        for following in self._chain[index + 1:]:
            if following.isEnabled():
                self._focus_entry(following)
                return
        self.save_button.setFocus(Qt.FocusReason.TabFocusReason)

    def _focus_entry(self, widget: QWidget) -> None:
        self._show_page_of(widget)
        if isinstance(widget, EntryTable):
            widget.start_entry()
            return
        if widget is self.custom_form:
            self.custom_form.focus_first()
            return
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(widget, QLineEdit):
            widget.selectAll()

    def _show_page_of(self, widget: QWidget) -> None:
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and page.isAncestorOf(widget):
                self.tabs.setCurrentIndex(index)
                return

    def _commit_editors(self) -> None:
        for table in self._tables.values():
            table.commit_editor()

    # --- closing --------------------------------------------------------------------------

    def reject(self) -> None:
        """Esc or the window's close button: ask before throwing typed changes away."""
        self._commit_editors()
        if self._discard_confirmed or not self.is_modified():
            self._dup_timer.stop()
            super().reject()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Discard changes?"),
            self.tr("You changed this customer card without saving. Close it and discard "
                    "the changes?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("discard_box")
        discard = box.button(QMessageBox.StandardButton.Discard)
        discard.setText(self.tr("Discard changes"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Keep editing"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def discard_and_close() -> None:
            self._discard_confirmed = True
            self.reject()

        discard.clicked.connect(discard_and_close)
        self.discard_box = box
        box.open()

    def done(self, result: int) -> None:
        super().done(result)
        self._after_save = None
        self._answer_close(True)  # closed by the user while the question was pending

    def _answer_close(self, may_close: bool) -> None:
        listener, self._close_listener = self._close_listener, None
        if listener is not None:
            listener(may_close)

    def _close_name(self) -> str:
        if self._detail is not None:
            return self._detail.name
        return self.name_edit.text().strip() or self.tr("New customer")

    # --- small helpers --------------------------------------------------------------------

    def _set_busy(self, busy: bool, message: str, *, error: bool = False) -> None:
        if busy and not self._busy:
            focus = QApplication.focusWidget() or self.focusWidget()
            self._focus_before_busy = focus if focus and self.isAncestorOf(focus) else None
        self._busy = busy
        may_edit = self._loaded and self._may_save()
        self.body.setEnabled(not busy and may_edit)
        self.save_button.setEnabled(not busy and may_edit)
        self._set_status(message, error=error)
        if not busy and self._focus_before_busy is not None:
            focus, self._focus_before_busy = self._focus_before_busy, None
            if not shiboken6.isValid(focus):
                return
            viewport = focus.parentWidget()
            if viewport is not None and isinstance(viewport.parentWidget(), EntryTable):
                focus = viewport.parentWidget()  # a cell editor is gone by now
            if focus is not None and focus.isEnabled():
                focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")

    def _on_table_edited(self) -> None:
        self._update_tab_titles()
        self._update_remove_buttons()
        if self.sender() is self.contacts_table:
            self._schedule_duplicate_check()

    def _update_tab_titles(self) -> None:
        # Tab 0 holds the custom fields; the tables and the notes follow.
        self.tabs.tabBar().setTabTextColor(
            0, QColor(ERROR_COLOUR) if self.custom_form.has_errors() else QColor())
        for index, name in enumerate(_CHILDREN, start=1):
            table = self._tables[name]
            count = len(table.entries())
            title = self.tr("{title} ({count})").format(
                title=self._titles[name], count=count) if count else self._titles[name]
            self.tabs.setTabText(index, title)
            has_error = table.first_mark() is not None
            self.tabs.tabBar().setTabTextColor(
                index, QColor(ERROR_COLOUR) if has_error else QColor())
        notes_index = len(_CHILDREN) + 1
        self.tabs.tabBar().setTabTextColor(
            notes_index, QColor(ERROR_COLOUR) if "notes" in self._errors else QColor())

    def _update_remove_buttons(self) -> None:
        for name, button in self._custom_buttons.items():
            table = self._tables[name]
            row = table.currentRow()
            button.setEnabled(bool(self._child_fields[name]) and row >= 0
                              and not table.row_is_blank(row))
        for name, table in self._tables.items():
            button = self._remove_buttons[name]
            button.setEnabled(table.can_remove_current_row())
            kept = 0 <= table.currentRow() and table.row_meta(table.currentRow()).get("keep")
            button.setToolTip(self.tr("A saved device is not removed: set its status to "
                                      "Retired.") if kept else "")


class DuplicatePanel(QFrame):
    """"Possibly already a customer:" — existing customers that look like the new one.

    A customer outside the user's data scope shows only its name and owner, to ask them.

    Signals:
        open_requested(int): "Open the existing one" on a hit the user may see.
    """

    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicate_panel")
        self.setStyleSheet("#duplicate_panel { background: #fff4ce; border: 1px solid #d9b300;"
                           " border-radius: 4px; }")
        self.title_label = QLabel(self.tr("Possibly already a customer:"), self)
        self.title_label.setObjectName("duplicate_title")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self._rows = QVBoxLayout()
        self._rows.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title_label)
        layout.addLayout(self._rows)
        self.hits: tuple[DuplicateHit, ...] = ()
        self.hide()

    def show_hits(self, hits: Sequence[DuplicateHit]) -> None:
        self._clear()
        self.hits = tuple(hits)
        if not self.hits:
            self.hide()
            return
        self.title_label.setText(self.tr("Possibly already a customer:"))
        for hit in self.hits[:MAX_HITS_SHOWN]:
            row = QHBoxLayout()
            label = QLabel(self.describe(hit), self)
            label.setObjectName(f"duplicate_hit_{hit.id}")
            label.setTextFormat(Qt.TextFormat.RichText)
            row.addWidget(label, 1)
            if not hit.restricted:
                button = QPushButton(self.tr("Open the existing one"), self)
                button.setObjectName(f"open_existing_{hit.id}")
                button.setAutoDefault(False)
                button.clicked.connect(lambda _=False, i=hit.id: self.open_requested.emit(i))
                row.addWidget(button)
            self._rows.addLayout(row)
        if len(self.hits) > MAX_HITS_SHOWN:
            more = QLabel(self.tr("…and {count} more").format(
                count=len(self.hits) - MAX_HITS_SHOWN), self)
            more.setObjectName("duplicate_more")
            self._rows.addWidget(more)
        self.show()

    def show_failure(self) -> None:
        self._clear()
        self.hits = ()
        self.title_label.setText(self.tr("Could not check for existing customers just now."))
        self.show()

    def describe(self, hit: DuplicateHit) -> str:
        """One hit as rich text: name (phone) — owner — the reasons, in words."""
        name = f"<b>{html.escape(hit.name)}</b>"
        owner = html.escape(hit.owner_name or self.tr("nobody"))
        if hit.restricted:
            return self.tr("{name} — ask {owner}").format(name=name, owner=owner)
        if hit.phone:
            name += " " + html.escape(hit.phone)
        reasons = self.tr(", ").join(self.reason_text(r) for r in hit.reasons)
        return self.tr("{name} — owner: {owner} — {reasons}").format(
            name=name, owner=owner, reasons=html.escape(reasons))

    def reason_text(self, code: str) -> str:
        return code_label(DUPLICATE_REASON, code)

    def _clear(self) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            row = item.layout() if item is not None else None
            widgets = [row.itemAt(i).widget() for i in range(row.count())] if row else [
                item.widget() if item is not None else None]
            for widget in widgets:
                if widget is not None:
                    widget.hide()
                    widget.deleteLater()
            if row is not None:
                row.deleteLater()


class CustomerConflictDialog(QDialog):
    """Someone saved the customer after this user opened it: say who and when, show what
    differs, and let the user reload (default) or, with permission, overwrite.

    Reloading keeps the dialog open with the user's typed values listed, so nothing the user
    typed disappears without being seen.

    Signals:
        reload_requested(): load the saved record into the card.
        overwrite_requested(): the user confirmed saving their values over it.
    """

    reload_requested = Signal()
    overwrite_requested = Signal()

    def __init__(self, parent: QWidget | None, *, changed_by: str | None,
                 changed_at: dt.datetime | None, differences: Sequence[tuple[str, str, str]],
                 can_overwrite: bool) -> None:
        super().__init__(parent)
        self.setObjectName("customer_conflict_dialog")
        self.setWindowTitle(self.tr("Changed by someone else"))
        self._who = changed_by or self.tr("Someone else")
        when = format_local_datetime(changed_at) if changed_at else "?"
        self.message_label = QLabel(
            self.tr("{user} saved this customer at {time} after you opened it.").format(
                user=self._who, time=when), self)
        self.message_label.setObjectName("conflict_message")
        self.message_label.setWordWrap(True)
        font = self.message_label.font()
        font.setBold(True)
        self.message_label.setFont(font)
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("conflict_hint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setText(
            self.tr("These fields differ between what you typed and the saved record:")
            if differences else
            self.tr("Your values and the saved record are the same now."))

        self.table = QTableWidget(len(differences), 3, self)
        self.table.setObjectName("conflict_table")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("What you typed"), self.tr("Saved now")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        self.table.setColumnWidth(0, max(
            [metrics.horizontalAdvance(field) for field, _m, _t in differences]
            + [header.fontMetrics().horizontalAdvance(self.tr("Field"))]) + 24)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, (field, mine, theirs) in enumerate(differences):
            for col, text in enumerate((field, mine, theirs)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.setVisible(bool(differences))

        self.reload_button = QPushButton(self.tr("Reload"), self)
        self.reload_button.setObjectName("reload_button")
        self.reload_button.setToolTip(
            self.tr("Discard your changes and show the saved record (your values stay listed "
                    "here)"))
        self.reload_button.clicked.connect(self._on_reload)
        self.overwrite_button = QPushButton(self.tr("Overwrite…"), self)
        self.overwrite_button.setObjectName("overwrite_button")
        self.overwrite_button.setToolTip(self.tr("Save your values over the saved record"))
        self.overwrite_button.setVisible(can_overwrite)
        self.overwrite_button.clicked.connect(self._ask_overwrite)
        self.keep_button = QPushButton(self.tr("Keep editing"), self)
        self.keep_button.setObjectName("keep_editing_button")
        self.keep_button.clicked.connect(self.reject)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("conflict_close_button")
        self.close_button.clicked.connect(self.accept)
        self.close_button.hide()
        for button in (self.overwrite_button, self.keep_button, self.close_button):
            button.setAutoDefault(False)
        self.reload_button.setDefault(True)
        self.overwrite_box: QMessageBox | None = None

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.reload_button, self.overwrite_button, self.keep_button,
                       self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(680, 340)
        self.reload_button.setFocus()

    def _on_reload(self) -> None:
        self.reload_requested.emit()
        self.hint_label.setText(self.tr(
            "The saved record is loaded in the card now. What you had typed stays listed "
            "here: select a cell and press Ctrl+C to copy it."))
        self.table.setHorizontalHeaderItem(1, QTableWidgetItem(self.tr("What you had typed")))
        for button in (self.reload_button, self.overwrite_button, self.keep_button):
            button.hide()
        self.close_button.show()
        self.close_button.setDefault(True)
        self.close_button.setFocus()

    def _ask_overwrite(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("Overwrite?"),
            self.tr("Save your values over what {user} saved? Their changes to the fields "
                    "listed are lost.").format(user=self._who),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("overwrite_box")
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText(self.tr("Overwrite"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes.clicked.connect(self._confirm_overwrite)
        self.overwrite_box = box
        box.open()

    def _confirm_overwrite(self) -> None:
        self.overwrite_requested.emit()
        self.accept()


# --- values --------------------------------------------------------------------------------


def _text(value: str) -> str | None:
    value = value.strip()
    return value or None


def _date_text(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def _date_value(text: str | None) -> dt.date | str | None:
    """2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日 or 20240501 as a date; anything else is
    passed on as typed, and the service names the field that is not a valid date."""
    if not text:
        return None
    text = text.strip()
    match = _DATE.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return text
    return text


def _int_value(text: str | None) -> int | str | None:
    if not text:
        return None
    compact = text.replace(",", "").replace(" ", "")
    return int(compact) if compact.isdigit() else text


def _comparable_custom(values: Any) -> dict[str, str]:
    """Custom values typed (text) and loaded (typed) compared as text, empties dropped."""
    def text(value: Any) -> str:
        if isinstance(value, tuple):
            return "|".join(value)
        if isinstance(value, Decimal | str) and not isinstance(value, bool):
            try:
                return plain_number(Decimal(value))
            except (InvalidOperation, ValueError):
                pass
        return _comparable(value)

    return {code: text(value) for code, value in dict(values).items()
            if value not in (None, "", ())}


def _comparable(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _choose(combo: QComboBox, value: object) -> None:
    index = combo.findData(str(value))
    if index >= 0:
        combo.setCurrentIndex(index)


__all__ = ["CustomerCardDialog", "CustomerConflictDialog", "DuplicatePanel"]
