"""The counter screen (接待记录): find or create the customer, then record the walk-in.

A routine walk-in takes a few keystrokes: type pinyin initials, a phone number or part of
the name; Enter picks the first customer found (↓ walks the list); type the purpose;
Ctrl+S records. When nobody matches, the typed text becomes the new customer's name, with
a phone field; the service's duplicate check then shows existing customers with the same
phone or name before anything is written.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.labels import DUPLICATE_REASON, code_label
from app.models.enums import CustomFieldEntity, StationCode, VisitKind
from app.saving import new_request_key
from app.services.custom_fields import FieldDefinition
from app.services.custom_fields import definitions as custom_field_definitions
from app.services.customers import (
    CustomerDraft,
    CustomerPage,
    CustomerRow,
    DuplicateHit,
    search_customers,
)
from app.services.errors import ValidationError
from app.services.visits import (
    DuplicateCustomer,
    VisitDraft,
    VisitFilters,
    WalkInResult,
    list_visits,
    record_walk_in,
)
from app.ui.context import AppContext
from app.ui.custom_fields.form import CustomFieldsForm
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_date, format_local_datetime, group_digits
from app.ui.kit.list_page import prepare_table
from app.ui.kit.table import Col, PagedTableModel, PageRequest
from app.ui.saving import save_keyed
from app.ui.visits.common import KIND_SOURCES, FieldBox, follow_up_value, kind_combo, kind_label
from app.ui.visits.visit_dialog import VisitDialog, open_visit

SEARCH_DEBOUNCE_MS = 250
SEARCH_LIMIT = 20
RECENT_LIMIT = 50  # the first read of the recent visits; scrolling reads on
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class WalkInPage(QWidget):
    """The Visits module page: the reception form on the left, my recent visits on the right.

    Signals:
        customer_activated(int): "Open customer" after recording, or from a visit.
    """

    customer_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 debounce_ms: int = SEARCH_DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("walk_in_page")
        self._ctx = ctx
        self.customer: tuple[int, str] | None = None  # the existing customer picked
        self.new_customer_name: str | None = None  # or the new customer's name
        self.last_result: WalkInResult | None = None
        self.is_busy = False
        # One per walk-in being recorded: recording again after a lost answer saves once.
        self.request_key = new_request_key()
        self.search_rows: tuple[CustomerRow, ...] = ()
        self._search_serial = 0
        self._searching = False
        self._pick_on_results = False
        self._filling = False

        form_panel = QWidget(self)
        title = QLabel(self.tr("Reception record"), form_panel)
        title.setObjectName("walk_in_title")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)

        self.kind_combo = kind_combo(form_panel)
        self.kind_combo.setObjectName("walk_in_kind")
        if ctx.station is StationCode.KEY_ACCOUNTS:
            # Key-account salespeople record calls and visits, not counter walk-ins.
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(VisitKind.VISIT.value))
        self.search_edit = QLineEdit(form_panel)
        self.search_edit.setObjectName("walk_in_search")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(
            self.tr("Customer: pinyin initials (bjxr), phone digits or name"))
        self.search_box = FieldBox(self.search_edit, form_panel)
        self.results = QListWidget(form_panel)
        self.results.setObjectName("walk_in_results")
        self.results.setMaximumHeight(self.results.fontMetrics().height() * 7 + 12)
        self.results.hide()
        self.chosen_label = QLabel(form_panel)
        self.chosen_label.setObjectName("walk_in_chosen")
        self.chosen_label.setTextFormat(Qt.TextFormat.RichText)
        self.chosen_label.hide()
        self.phone_edit = QLineEdit(form_panel)
        self.phone_edit.setObjectName("walk_in_phone")
        self.phone_edit.setPlaceholderText(self.tr("Phone of the new customer"))
        self.phone_box = FieldBox(self.phone_edit, form_panel)
        self.phone_row_label = QLabel(self.tr("Phone:"), form_panel)
        self.duplicates = DuplicateHitsPanel(form_panel)
        self.duplicates.use_requested.connect(self.use_existing)
        self.duplicates.create_anyway_requested.connect(self.create_anyway)

        self.purpose_edit = QLineEdit(form_panel)
        self.purpose_edit.setObjectName("walk_in_purpose")
        self.purpose_edit.setMaxLength(200)
        self.purpose_edit.setPlaceholderText(self.tr("e.g. toner for HP M1136, repair quote"))
        self.products_edit = QLineEdit(form_panel)
        self.products_edit.setObjectName("walk_in_products")
        self.outcome_edit = QLineEdit(form_panel)
        self.outcome_edit.setObjectName("walk_in_outcome")
        self.next_step_edit = QLineEdit(form_panel)
        self.next_step_edit.setObjectName("walk_in_next_step")
        self.follow_up_edit = QLineEdit(form_panel)
        self.follow_up_edit.setObjectName("walk_in_follow_up")
        self.follow_up_edit.setPlaceholderText(self.tr("empty, a date, or 3 = in 3 days"))
        self.follow_up_edit.setMinimumWidth(self.follow_up_edit.fontMetrics().horizontalAdvance(
            self.follow_up_edit.placeholderText()) + 20)
        self.quick_buttons: dict[int, QPushButton] = {}
        follow_row = QHBoxLayout()
        follow_row.setContentsMargins(0, 0, 0, 0)
        self.follow_up_box = FieldBox(self.follow_up_edit, form_panel)
        follow_row.addWidget(self.follow_up_box)
        for days in (1, 3, 7):
            button = QPushButton(self.tr("+{days}d").format(days=days), form_panel)
            button.setObjectName(f"walk_in_plus_{days}")
            button.setToolTip(self.tr("Follow up in {days} days").format(days=days))
            button.clicked.connect(lambda _=False, d=days: self.set_follow_up_in(d))
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            follow_row.addWidget(button)
            self.quick_buttons[days] = button
        self.follow_up_hint = QLabel(form_panel)
        self.follow_up_hint.setObjectName("walk_in_follow_up_hint")
        follow_row.addWidget(self.follow_up_hint, 1)
        follow_widget = QWidget(form_panel)
        follow_widget.setLayout(follow_row)

        self.record_button = QPushButton(self.tr("Record (Ctrl+S)"), form_panel)
        self.record_button.setObjectName("walk_in_record")
        self.record_button.setAutoDefault(True)
        self.record_button.clicked.connect(self.record)
        self.status_label = QLabel(form_panel)
        self.status_label.setObjectName("walk_in_status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.linkActivated.connect(self._on_status_link)

        self.boxes = {
            "customer": self.search_box,
            "customer_id": self.search_box,
            "name": self.search_box,
            "phone": self.phone_box,
            "purpose": FieldBox(self.purpose_edit, form_panel),
            "products_of_interest": FieldBox(self.products_edit, form_panel),
            "outcome": FieldBox(self.outcome_edit, form_panel),
            "next_step": FieldBox(self.next_step_edit, form_panel),
            "follow_up_on": self.follow_up_box,
        }

        top = QHBoxLayout()
        top.addWidget(self.kind_combo)
        top.addWidget(self.search_box, 1)
        form = QFormLayout()
        form.addRow(self.phone_row_label, self.phone_box)
        form.addRow(self.tr("Purpose:"), self.boxes["purpose"])
        form.addRow(self.tr("Products of interest:"), self.boxes["products_of_interest"])
        form.addRow(self.tr("Outcome:"), self.boxes["outcome"])
        form.addRow(self.tr("Next step:"), self.boxes["next_step"])
        form.addRow(self.tr("Follow-up on:"), follow_widget)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        left = QVBoxLayout(form_panel)
        left.addWidget(title)
        left.addLayout(top)
        left.addWidget(self.results)
        left.addWidget(self.chosen_label)
        left.addWidget(self.duplicates)
        # The administrator's custom fields: the new customer's (shown with the phone)
        # and the visit's; each only when there are any.
        self.customer_custom_box = QGroupBox(self.tr("New customer details"), form_panel)
        self.customer_custom_box.setObjectName("walk_in_customer_custom_box")
        self.customer_custom_form = CustomFieldsForm((), self.customer_custom_box,
                                                     language=ctx.language)
        self.customer_custom_form.setObjectName("walk_in_customer_custom")
        QVBoxLayout(self.customer_custom_box).addWidget(self.customer_custom_form)
        self.customer_custom_box.setVisible(False)
        self.visit_custom_form = CustomFieldsForm((), form_panel, language=ctx.language)
        self.visit_custom_form.setObjectName("walk_in_visit_custom")
        self.visit_custom_form.setVisible(False)
        form.insertRow(1, self.customer_custom_box)
        left.addLayout(form)
        left.addWidget(self.visit_custom_form)
        self._load_custom_fields(CustomFieldEntity.CUSTOMER, self.customer_custom_form)
        self._load_custom_fields(CustomFieldEntity.VISIT, self.visit_custom_form)
        left.addLayout(buttons)
        left.addWidget(self.status_label)
        left.addStretch(1)

        recent_panel = QWidget(self)
        recent_title = QLabel(self.tr("My recent visits"), recent_panel)
        recent_title.setObjectName("recent_title")
        recent_title.setFont(font)
        # Newest first; a header click sorts on the server (VISIT_SORT_KEYS). A visit
        # written anywhere (here, in its dialog, from the to-do list) is heard on the
        # change bus and the list reads again.
        self.recent_model = PagedTableModel(self._recent_columns(), self._load_recent,
                                            page_size=RECENT_LIMIT, parent=self)
        self.recent_model.page_loaded.connect(self._show_recent_count)
        self.recent_model.load_failed.connect(self._on_recent_failed)
        self.recent_table = QTableView(recent_panel)
        self.recent_table.setObjectName("recent_visits")
        prepare_table(self.recent_table, self.recent_model)
        self.recent_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.recent_table.setWordWrap(False)
        self.recent_table.horizontalHeader().setStretchLastSection(False)
        self.recent_table.activated.connect(self._on_recent_activated)
        ctx.changes.follow(self, ("visit",), lambda _kind, _id: self.refresh_recent())
        self.recent_status = QLabel(recent_panel)
        self.recent_status.setObjectName("recent_status")
        right = QVBoxLayout(recent_panel)
        right.addWidget(recent_title)
        right.addWidget(self.recent_table, 1)
        right.addWidget(self.recent_status)

        splitter = QSplitter(self)
        splitter.addWidget(form_panel)
        splitter.addWidget(recent_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 480])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._chain: list[QWidget] = [self.purpose_edit, self.products_edit, self.outcome_edit,
                                      self.next_step_edit, self.follow_up_edit]
        for widget in (self.search_edit, self.results, self.phone_edit, self.kind_combo,
                       *self._chain):
            widget.installEventFilter(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(debounce_ms)
        self._search_timer.timeout.connect(self.apply_search)
        self.search_edit.textChanged.connect(self._on_search_edited)
        self.results.itemActivated.connect(self.pick_item)
        self.follow_up_edit.textChanged.connect(self._update_follow_up_hint)
        self.phone_edit.textChanged.connect(lambda _t: self.duplicates.clear())
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self, self.record)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        order = [self.kind_combo, self.search_edit, self.results, self.phone_edit,
                 *self._chain, *self.quick_buttons.values(), self.record_button,
                 self.recent_table]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.search_edit)
        self._show_new_customer_fields(False)
        self.refresh_recent()

    # --- public ---------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def refresh(self) -> None:
        self.refresh_recent()

    def on_connection_restored(self) -> None:
        self.refresh_recent()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """The customer search is ready to type in when the page opens."""
        super().showEvent(event)
        QTimer.singleShot(0, self._focus_search_if_outside)

    def _focus_search_if_outside(self) -> None:
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus):
            self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def apply_search(self) -> None:
        """Search now (the timer calls this after a pause in typing)."""
        self._search_timer.stop()
        text = self.search_edit.text().strip()
        self._search_serial += 1
        serial = self._search_serial
        if not text:
            self._searching = False
            self._fill_results((), "")
            return
        self._searching = True
        actor = self._ctx.actor
        self._ctx.run(
            lambda uow: search_customers(uow=uow, actor=actor, text=text, limit=SEARCH_LIMIT),
            on_done=lambda page: self._on_results(serial, text, page),
            on_error=lambda error: self._on_search_failed(serial, error), owner=self)

    def pick_item(self, item: QListWidgetItem | None) -> None:
        """Pick a line of the results: an existing customer, or "new customer"."""
        if item is None:
            return
        data = item.data(ITEM_ROLE)
        if data is None:
            return
        if data[0] == "new":
            self.start_new_customer(data[1])
            return
        row = next((r for r in self.search_rows if r.id == data[1]), None)
        if row is None:
            return
        if row.restricted:
            self._set_status(self.tr("{name} belongs to {owner}: ask {owner} to receive this "
                                     "customer.").format(
                name=html.escape(row.name), owner=html.escape(row.owner_name or "?")),
                error=True)
            return
        self.choose_customer(row.id, row.name, row.phone, row.owner_name)

    def choose_customer(self, customer_id: int, name: str, phone: str | None = None,
                        owner: str | None = None) -> None:
        self.customer = (customer_id, name)
        self.new_customer_name = None
        self._set_search_text(name)
        self.results.hide()
        self.duplicates.clear()
        self._show_new_customer_fields(False)
        details = " ".join(html.escape(p) for p in (phone or "",) if p)
        if owner:
            details += " — " + html.escape(self.tr("owner: {owner}").format(owner=owner))
        self.chosen_label.setText(self.tr("Customer: {name}").format(
            name=f"<b>{html.escape(name)}</b> {details}"))
        self.chosen_label.show()
        self.search_box.set_error("")
        self.purpose_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def start_new_customer(self, name: str) -> None:
        self.customer = None
        self.new_customer_name = name.strip()
        self.results.hide()
        self._show_new_customer_fields(True)
        self.chosen_label.setText(self.tr("New customer: {name}").format(
            name=f"<b>{html.escape(self.new_customer_name)}</b>"))
        self.chosen_label.show()
        self.search_box.set_error("")
        self.phone_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_follow_up_in(self, days: int) -> None:
        self.follow_up_edit.setText(format_date(dt.date.today() + dt.timedelta(days=days)))

    def current_visit_draft(self) -> VisitDraft:
        return VisitDraft(
            purpose=self.purpose_edit.text().strip(),
            kind=self.kind_combo.currentData(),
            products_of_interest=self.products_edit.text().strip() or None,
            outcome=self.outcome_edit.text().strip() or None,
            next_step=self.next_step_edit.text().strip() or None,
            follow_up_on=follow_up_value(self.follow_up_edit.text(), dt.date.today()),  # type: ignore[arg-type]
            custom=self.visit_custom_form.values(),
        )

    def record(self, *, confirm_new: bool = False) -> None:
        """Ctrl+S: record the visit (creating the new customer first, if one is typed)."""
        if self.is_busy:
            return
        self._clear_errors()
        if self.customer is None and self.new_customer_name is None:
            self.search_box.set_error(self.tr(
                "Choose the customer first: Enter picks the first one found."))
            self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        actor = self._ctx.actor
        visit = self.current_visit_draft()
        customer_id = self.customer[0] if self.customer else None
        new = None
        if customer_id is None:
            kind = VisitKind(self.kind_combo.currentData())
            new = CustomerDraft(name=self.new_customer_name or "",
                                phone=self.phone_edit.text().strip() or None,
                                source=KIND_SOURCES[kind],
                                custom=self.customer_custom_form.values())
        self._set_busy(True)
        self._set_status(self.tr("Recording…"))
        save_keyed(
            self._ctx,
            lambda uow, key: record_walk_in(uow=uow, actor=actor, visit=visit, customer=new,
                                            customer_id=customer_id, confirm_new=confirm_new,
                                            request_key=key),
            self.request_key, on_done=self._on_recorded, on_error=self._on_record_failed,
            owner=self)

    def use_existing(self, customer_id: int, name: str) -> None:
        """"Use this customer" on a duplicate hit: record the visit for it."""
        self.choose_customer(customer_id, name)
        self.record()

    def create_anyway(self) -> None:
        self.record(confirm_new=True)

    def refresh_recent(self) -> None:
        """Read the user's recent visits again (keeping the order chosen)."""
        self.recent_model.set_query(self._ctx.actor.user_id, force=True)

    def _load_recent(self, owner_id: int, request: PageRequest,
                     on_done: Callable[[Any], None],
                     on_error: Callable[[BaseException], None]) -> None:
        actor = self._ctx.actor
        self._ctx.run(
            lambda uow: list_visits(uow=uow, actor=actor,
                                    filters=VisitFilters(owner_id=owner_id),
                                    after=request.after, limit=request.limit,
                                    sort=request.sort, with_total=request.with_total),
            on_done=on_done, on_error=on_error, owner=self)

    def open_recent(self, row: int) -> VisitDialog | None:
        visit_id = self.recent_model.row_id(row)
        if visit_id is None:
            return None
        return open_visit(self._ctx, int(visit_id), self)

    # --- search results -------------------------------------------------------------------

    def _on_search_edited(self, _text: str) -> None:
        if self._filling:
            return
        self.customer = None
        self.new_customer_name = None
        self.chosen_label.hide()
        self.duplicates.clear()
        self._show_new_customer_fields(False)
        self._search_timer.start()

    def _on_results(self, serial: int, text: str, page: CustomerPage) -> None:
        if serial != self._search_serial:
            return
        self._searching = False
        self._fill_results(page.rows, text)
        if self._pick_on_results:
            self._pick_on_results = False
            self._pick_first()

    def _on_search_failed(self, serial: int, error: BaseException) -> None:
        if serial != self._search_serial:
            return
        self._searching = False
        self._pick_on_results = False
        self._set_status(html.escape(describe_error(error).text), error=True)

    def _fill_results(self, rows: tuple[CustomerRow, ...], text: str) -> None:
        self.search_rows = tuple(rows)
        self.results.clear()
        for row in rows:
            if row.restricted:
                line = self.tr("{name} — ask {owner}").format(
                    name=row.name, owner=row.owner_name or "?")
            else:
                parts = [row.name, row.phone or "", row.owner_name or ""]
                line = "  ·  ".join(p for p in parts if p)
            item = QListWidgetItem(line)
            item.setData(ITEM_ROLE, ("customer", row.id))
            if row.restricted:
                item.setForeground(Qt.GlobalColor.gray)
            self.results.addItem(item)
        if text:
            item = QListWidgetItem(self.tr("+ New customer: {name}").format(name=text))
            item.setData(ITEM_ROLE, ("new", text))
            font = item.font()
            font.setItalic(True)
            item.setFont(font)
            self.results.addItem(item)
        self.results.setVisible(self.results.count() > 0)

    def _pick_first(self) -> None:
        """Enter in the search box: the first customer found that may be picked, else a new
        customer with the typed name."""
        for index in range(self.results.count()):
            item = self.results.item(index)
            data = item.data(ITEM_ROLE)
            if data and data[0] == "customer":
                row = next((r for r in self.search_rows if r.id == data[1]), None)
                if row is not None and not row.restricted:
                    self.pick_item(item)
                    return
        if self.search_rows:
            self.pick_item(self.results.item(0))  # only restricted ones: say whom to ask
            return
        text = self.search_edit.text().strip()
        if text:
            self.start_new_customer(text)

    # --- recording ------------------------------------------------------------------------

    def _on_recorded(self, result: WalkInResult) -> None:
        self._set_busy(False)
        self.last_result = result
        name = result.visit.customer_name
        self._clear_form()
        text = (self.tr("New customer {name} created and visit recorded.") if
                result.customer_created else self.tr("Recorded for {name}."))
        self._set_status(text.format(name=f"<b>{html.escape(name)}</b>") + " "
                         + f'<a href="customer:{result.customer_id}">'
                         + html.escape(self.tr("Open customer")) + "</a>")
        # The recent visits here, the customer list and the to-do lists read again.
        if result.customer_created:
            self._ctx.changes.publish("customer", result.customer_id)
        self._ctx.changes.publish("visit", result.visit.id)
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_record_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, DuplicateCustomer):
            self._set_status("")
            self.duplicates.show_hits(error.hits)
            self.duplicates.focus_first()
        elif isinstance(error, ValidationError):
            self.show_validation(error.errors)
        else:
            self._set_status(html.escape(describe_error(error).text), error=True)
            show_error(self, error)

    def show_validation(self, errors: dict[str, str]) -> None:
        first: QWidget | None = None
        other = []
        # The same code may name a customer and a visit field: mark what is on screen.
        rest = self.visit_custom_form.show_errors(errors)
        if self.customer_custom_box.isVisibleTo(self):
            rest = {k: v for k, v in rest.items()
                    if k in self.customer_custom_form.show_errors(errors)}
        for field, message in rest.items():
            box = self.boxes.get(field)
            if box is None or not box.isVisibleTo(self):
                other.append(f"{field}: {message}")
                continue
            box.set_error(message)
            first = first or box.field
        self._set_status(html.escape("\n".join(other)
                                     or self.tr("Please correct the marked fields.")),
                         error=True)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_form(self) -> None:
        self.request_key = new_request_key()  # the next walk-in is a new record
        self._set_search_text("")
        self.customer = None
        self.new_customer_name = None
        self.search_rows = ()
        self.results.clear()
        self.results.hide()
        self.chosen_label.hide()
        self.duplicates.clear()
        self._show_new_customer_fields(False)
        for edit in (self.phone_edit, self.purpose_edit, self.products_edit,
                     self.outcome_edit, self.next_step_edit, self.follow_up_edit):
            edit.clear()
        self.customer_custom_form.set_values({}, defaults=True)
        self.visit_custom_form.set_values({}, defaults=True)
        self._clear_errors()

    def _clear_errors(self) -> None:
        for box in self.boxes.values():
            box.set_error("")
        self.customer_custom_form.clear_errors()
        self.visit_custom_form.clear_errors()

    def _load_custom_fields(self, entity: CustomFieldEntity, form: CustomFieldsForm) -> None:
        actor = self._ctx.actor
        self._ctx.run(lambda uow: custom_field_definitions(uow=uow, actor=actor, entity=entity),
                      on_done=lambda fields: self._on_custom_fields(form, fields),
                      on_error=lambda _e: None, owner=self)

    def _on_custom_fields(self, form: CustomFieldsForm,
                          fields: tuple[FieldDefinition, ...]) -> None:
        form.set_definitions(fields)
        form.set_values({}, defaults=True)
        if form is self.visit_custom_form:
            form.setVisible(bool(form.definitions))
        else:
            self.customer_custom_box.setVisible(bool(form.definitions)
                                                and self.phone_box.isVisibleTo(self))

    # --- recent visits --------------------------------------------------------------------

    def _recent_columns(self) -> list[Col[Any]]:
        # The keys are the service's sort keys (VISIT_SORT_KEYS).
        return [
            Col("when", self.tr("When"), lambda v: format_local_datetime(v.occurred_at),
                sort="when", width=130),
            Col("kind", self.tr("Kind"), lambda v: kind_label(v.kind), sort="kind", width=70),
            Col("customer", self.tr("Customer"), lambda v: v.customer_name, sort="customer",
                width=150),
            Col("purpose", self.tr("Purpose"), lambda v: v.purpose, sort="purpose"),
            Col("follow_up", self.tr("Follow-up"), lambda v: format_date(v.follow_up_on),
                sort="follow_up", width=90),
        ]

    def _show_recent_count(self) -> None:
        shown, total = self.recent_model.rowCount(), self.recent_model.total
        if not shown:
            text = self.tr("No visits recorded yet.")
        elif total is not None and total > shown:
            text = self.tr("{shown} of {total} shown; Enter opens one.").format(
                shown=shown, total=group_digits(total))
        else:
            text = self.tr("{count} visits; Enter opens one.").format(count=shown)
        self.recent_status.setText(text)
        self.recent_status.setStyleSheet("")
        if shown <= RECENT_LIMIT:  # the first read: fit the columns to it, once
            self.recent_table.resizeColumnsToContents()
            self.recent_table.horizontalHeader().setSectionResizeMode(
                3, QHeaderView.ResizeMode.Stretch)  # the purpose takes what is left

    def _on_recent_failed(self, error: BaseException) -> None:
        self.recent_status.setText(describe_error(error).text)
        self.recent_status.setStyleSheet("color: #b00020;")

    def _on_recent_activated(self, index: QModelIndex) -> None:
        self.open_recent(index.row())

    # --- helpers --------------------------------------------------------------------------

    def _on_status_link(self, link: str) -> None:
        if link.startswith("customer:"):
            self.customer_activated.emit(int(link.split(":", 1)[1]))

    def _show_new_customer_fields(self, shown: bool) -> None:
        self.phone_box.setVisible(shown)
        self.phone_row_label.setVisible(shown)
        self.customer_custom_box.setVisible(
            shown and bool(self.customer_custom_form.definitions))

    def _set_search_text(self, text: str) -> None:
        self._filling = True
        try:
            self._search_timer.stop()
            self.search_edit.setText(text)
        finally:
            self._filling = False

    def _update_follow_up_hint(self, text: str) -> None:
        value = follow_up_value(text, dt.date.today())
        if isinstance(value, dt.date):
            days = (value - dt.date.today()).days
            self.follow_up_hint.setText(self.tr("→ {date} (in {days} days)").format(
                date=format_date(value), days=days))
        else:
            self.follow_up_hint.setText("")

    def _set_busy(self, busy: bool) -> None:
        self.is_busy = busy
        self.record_button.setEnabled(not busy)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b00020;" if error else "")

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
                if self.customer is not None or self.new_customer_name is not None:
                    (self.phone_edit if self.new_customer_name is not None
                     else self.purpose_edit).setFocus(Qt.FocusReason.OtherFocusReason)
                elif self._search_timer.isActive() or self._searching:
                    self._pick_on_results = True
                    if self._search_timer.isActive():
                        self.apply_search()
                else:
                    self._pick_first()
                return True
            if key == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
        elif watched is self.results:
            if key in _ENTER_KEYS:
                self.pick_item(self.results.currentItem())
                return True
            if key == Qt.Key.Key_Up and self.results.currentRow() <= 0:
                self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        elif watched is self.kind_combo and key in _ENTER_KEYS:
            if not self.kind_combo.view().isVisible():
                self.search_edit.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        elif watched is self.phone_edit and key in _ENTER_KEYS:
            self.purpose_edit.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        elif watched in self._chain and key in _ENTER_KEYS:
            index = self._chain.index(watched)  # type: ignore[arg-type]
            following = (self._chain[index + 1] if index + 1 < len(self._chain)
                         else self.record_button)
            following.setFocus(Qt.FocusReason.TabFocusReason)
            if isinstance(following, QLineEdit):
                following.selectAll()
            return True
        return super().eventFilter(watched, event)


class DuplicateHitsPanel(QFrame):
    """The duplicate check's answer: existing customers with the same phone or name.

    Signals:
        use_requested(int, str): "Use this customer" on a hit in the user's scope.
        create_anyway_requested(): "Create anyway".
    """

    use_requested = Signal(int, str)
    create_anyway_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walk_in_duplicates")
        self.setStyleSheet("#walk_in_duplicates { background: #fff4ce; "
                           "border: 1px solid #d9b300; border-radius: 4px; }")
        self.title_label = QLabel(self.tr(
            "This customer may already exist. Nothing has been saved yet."), self)
        self.title_label.setObjectName("duplicates_title")
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self._rows = QVBoxLayout()
        self._rows.setSpacing(2)
        self.create_button = QPushButton(self.tr("Create a new customer anyway"), self)
        self.create_button.setObjectName("create_anyway")
        self.create_button.setAutoDefault(True)
        self.create_button.clicked.connect(self.create_anyway_requested)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.title_label)
        layout.addLayout(self._rows)
        layout.addLayout(bottom)
        self.hits: tuple[DuplicateHit, ...] = ()
        self.use_buttons: dict[int, QPushButton] = {}
        self._widgets: list[QWidget] = []
        self.hide()

    def show_hits(self, hits: tuple[DuplicateHit, ...]) -> None:
        self.clear()
        self.hits = tuple(hits)
        for hit in self.hits:
            row = QWidget(self)
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(self.describe(hit), row)
            label.setObjectName(f"duplicate_hit_{hit.id}")
            label.setTextFormat(Qt.TextFormat.RichText)
            line.addWidget(label, 1)
            if not hit.restricted:
                button = QPushButton(self.tr("Use this customer"), row)
                button.setObjectName(f"use_customer_{hit.id}")
                button.setAutoDefault(True)
                button.clicked.connect(
                    lambda _=False, h=hit: self.use_requested.emit(h.id, h.name))
                line.addWidget(button)
                self.use_buttons[hit.id] = button
            self._rows.addWidget(row)
            self._widgets.append(row)
        self.setVisible(bool(self.hits))

    def focus_first(self) -> None:
        first = next(iter(self.use_buttons.values()), self.create_button)
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def describe(self, hit: DuplicateHit) -> str:
        name = f"<b>{html.escape(hit.name)}</b>"
        owner = html.escape(hit.owner_name or self.tr("nobody"))
        reasons = self.tr(", ").join(self.reason_text(r) for r in hit.reasons)
        if hit.restricted:
            return self.tr("{name} — {reasons} — ask {owner}").format(
                name=name, reasons=html.escape(reasons), owner=owner)
        if hit.phone:
            name += " " + html.escape(hit.phone)
        return self.tr("{name} — owner: {owner} — {reasons}").format(
            name=name, owner=owner, reasons=html.escape(reasons))

    def reason_text(self, code: str) -> str:
        return code_label(DUPLICATE_REASON, code)

    def clear(self) -> None:
        for widget in self._widgets:
            widget.hide()
            widget.deleteLater()
        self._widgets = []
        self.use_buttons = {}
        self.hits = ()
        self.hide()
