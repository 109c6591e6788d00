"""The customer 360 view: header figures, devices, contracts and one timeline of everything."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.db import DatabaseUnavailable
from app.models.enums import Module, Operation
from app.services.customer360 import (
    TIMELINE_LIMIT,
    ContractSummary,
    CustomerOverview,
    DeviceSummary,
    TimelineEntry,
    customer_overview,
)
from app.ui import labels
from app.ui.context import AppContext
from app.ui.customers.timeline_model import Column, TimelineModel, entry_when
from app.ui.elided import ElidedLabel
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_date, format_yuan
from app.ui.record_labels import (
    KIND_MODULES,
    KINDS,
    contract_kind_label,
    contract_status_label,
    kind_icon,
    kind_label,
    reference_label,
    state_label,
)
from app.ui.shell.record_openers import RecordOpeners, record_openers

ERROR_STYLE = "color: #b00020;"
CAPTION_STYLE = "color: #666666;"
LIST_ROWS = 3  # device and contract lists show this many lines before they scroll
# The change-bus kinds of what the view shows: the customer itself (its card, devices) and
# every kind of record on its timeline, devices and contracts.
FOLLOWED_KINDS = ("customer", "visit", "opportunity", "quotation", "order", "payment",
                  "ticket", "care", "task", "contract")
CHANGE_BATCH_MS = 50  # one save may announce several records (an order and its payment)


class CustomerOverviewPage(QWidget):
    """Everything about one customer: who they are, what they owe, what happened, newest first.

    A write of any kind of record the view shows (heard on the change bus) reads it again —
    one read, the same fixed set of queries; when the view is not on screen, once it is.

    Signals:
        back_requested(): the Back button, Alt+Left or Esc; the main window shows the list.
        edit_requested(int): the "Edit card" button or Ctrl+E; the customer's id.
        open_record(str, int): Enter or double-click on a timeline entry: its kind and id.
            The page then opens it itself, through ``openers`` or a read-only summary.
        loaded(): the overview was (re)loaded and is on screen.
    """

    back_requested = Signal()
    edit_requested = Signal(int)
    open_record = Signal(str, int)
    loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        customer_id: int,
        parent: QWidget | None = None,
        *,
        openers: RecordOpeners | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customer_overview_page")
        self._ctx = ctx
        self.customer_id = customer_id
        self.openers = openers if openers is not None else record_openers()
        self.overview: CustomerOverview | None = None
        self.error: BaseException | None = None
        self._reads = 0  # reads asked for and not answered yet
        self._stale = False  # a change was heard while the view was not shown
        # The kinds this user may see at all (the service leaves the others out).
        self.kinds = tuple(k for k in KINDS if _kind_visible(ctx, k))

        self.model = TimelineModel(self)

        # --- top bar: back, name, actions
        self.back_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowBack), self.tr("Back"), self)
        self.back_button.setObjectName("overview_back")
        self.back_button.setToolTip(self.tr("Back to the customer list (Alt+Left or Esc)"))
        self.back_button.clicked.connect(self.back_requested)
        self.name_label = ElidedLabel(self)
        self.name_label.setObjectName("overview_name")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name_label.setFont(font)
        can_edit = ctx.can(Module.CUSTOMERS, Operation.EDIT)
        self.edit_button = QPushButton(
            self.tr("Edit card…") if can_edit else self.tr("Open card…"), self)
        self.edit_button.setObjectName("overview_edit")
        self.edit_button.setToolTip(self.tr("The customer card (Ctrl+E)"))
        self.edit_button.clicked.connect(self.request_edit)
        self.visit_button = QPushButton(self.tr("Record visit…"), self)
        self.visit_button.setObjectName("overview_record_visit")
        self.visit_button.setToolTip(self.tr("Record an on-site visit (Ctrl+Shift+V)"))
        self.visit_button.clicked.connect(self.record_visit)
        self.visit_button.setVisible(ctx.can(Module.VISITS, Operation.CREATE))
        self.reload_button = QPushButton(self.tr("Reload"), self)
        self.reload_button.setObjectName("overview_reload")
        self.reload_button.setToolTip(self.tr("Read the customer again (F5)"))
        self.reload_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addSpacing(8)
        top.addWidget(self.name_label, 1)
        top.addWidget(self.edit_button)
        top.addWidget(self.visit_button)
        top.addWidget(self.reload_button)

        # --- while loading, or when the customer cannot be shown
        self.message_label = QLabel(self)
        self.message_label.setObjectName("overview_message")
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Try again"), self)
        self.retry_button.setObjectName("overview_retry")
        self.retry_button.clicked.connect(self.reload)
        message_page = QWidget(self)
        message_layout = QVBoxLayout(message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message_label)
        message_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)
        message_layout.addStretch(2)

        self.content = QWidget(self)
        self.content.setObjectName("overview_content")
        content_layout = QVBoxLayout(self.content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(self._make_header())
        content_layout.addLayout(self._make_lists())
        content_layout.addLayout(self._make_timeline(), 1)

        self.body = QStackedWidget(self)
        self.body.addWidget(message_page)
        self.body.addWidget(self.content)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("overview_status")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.status_label)

        for keys, slot in ((QKeySequence("Alt+Left"), self.back_requested.emit),
                           (QKeySequence(Qt.Key.Key_Escape), self.back_requested.emit),
                           (QKeySequence("Ctrl+E"), self.request_edit),
                           (QKeySequence("Ctrl+Shift+V"), self.record_visit)):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self.setFocusProxy(self.table)
        ctx.changes.follow(self, FOLLOWED_KINDS, self._changed, batch_ms=CHANGE_BATCH_MS)
        self.reload()

    # --- building -------------------------------------------------------------------------

    def _make_header(self) -> QHBoxLayout:
        facts = QGridLayout()
        facts.setHorizontalSpacing(8)
        facts.setVerticalSpacing(4)
        self.fact_labels: dict[str, QLabel] = {}
        rows = (
            (("code", self.tr("Code")), ("class", self.tr("Class")),
             ("owner", self.tr("Owner"))),
            (("status", self.tr("Status")), ("source", self.tr("Source")),
             ("phone", self.tr("Phone"))),
        )
        for row, pairs in enumerate(rows):
            for pair, (key, caption) in enumerate(pairs):
                title = QLabel(caption + self.tr(":"), self)
                title.setObjectName(f"overview_{key}_caption")
                title.setStyleSheet(CAPTION_STYLE)
                value = QLabel(self)
                value.setObjectName(f"overview_{key}")
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                facts.addWidget(title, row, pair * 2)
                facts.addWidget(value, row, pair * 2 + 1)
                self.fact_labels[key] = value
        for pair in range(3):
            facts.setColumnStretch(pair * 2 + 1, 1)

        self.receivable_box = QFrame(self)
        self.receivable_box.setObjectName("overview_receivable_box")
        self.receivable_box.setFrameShape(QFrame.Shape.StyledPanel)
        caption = QLabel(self.tr("Receivable"), self.receivable_box)
        caption.setObjectName("overview_receivable_caption")
        caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.receivable_label = QLabel(self.receivable_box)
        self.receivable_label.setObjectName("overview_receivable")
        self.receivable_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.receivable_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receivable_label.setToolTip(self.tr(
            "Unpaid orders and repair charges of this customer"))
        big = self.receivable_label.font()
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        self.receivable_label.setFont(big)
        box = QVBoxLayout(self.receivable_box)
        box.setContentsMargins(12, 4, 12, 4)
        box.setSpacing(0)
        box.addWidget(caption)
        box.addWidget(self.receivable_label)
        # Without the payments module the service reports no receivable: show none, not ¥0.
        self.receivable_box.setVisible(self._ctx.can(Module.PAYMENTS, Operation.VIEW))

        header = QHBoxLayout()
        header.addLayout(facts, 1)
        header.addSpacing(12)
        header.addWidget(self.receivable_box)
        return header

    def _make_lists(self) -> QHBoxLayout:
        self.devices_box, self.devices_list = self._list_box("overview_devices")
        self.contracts_box, self.contracts_list = self._list_box("overview_contracts")
        self.contracts_box.setVisible(self._ctx.can(Module.CONTRACTS, Operation.VIEW))
        lists = QHBoxLayout()
        lists.addWidget(self.devices_box, 3)
        lists.addWidget(self.contracts_box, 2)
        return lists

    def _list_box(self, name: str) -> tuple[QGroupBox, QListWidget]:
        box = QGroupBox(self)
        box.setObjectName(f"{name}_box")
        widget = QListWidget(box)
        widget.setObjectName(name)
        widget.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Long lines end in "…" (the whole line is the tooltip) instead of a scroll bar
        # that would cover the second line.
        widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.setTextElideMode(Qt.TextElideMode.ElideRight)
        widget.setFixedHeight(widget.fontMetrics().height() * LIST_ROWS + 14)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(6, 2, 6, 6)
        inner.addWidget(widget)
        return box, widget

    def _make_timeline(self) -> QHBoxLayout:
        panel = QVBoxLayout()
        panel.setSpacing(2)
        shown = QLabel(self.tr("Show"), self)
        shown.setObjectName("overview_filter_caption")
        panel.addWidget(shown)
        self.kind_boxes: dict[str, QCheckBox] = {}
        for kind in self.kinds:
            box = QCheckBox(self)
            box.setObjectName(f"show_{kind}")
            box.setIcon(kind_icon(kind))
            box.setChecked(True)
            box.toggled.connect(self._apply_kind_filter)
            panel.addWidget(box)
            self.kind_boxes[kind] = box
        self.show_all_button = QPushButton(self.tr("Show all"), self)
        self.show_all_button.setObjectName("overview_show_all")
        self.show_all_button.clicked.connect(self.show_all_kinds)
        panel.addSpacing(4)
        panel.addWidget(self.show_all_button)
        panel.addStretch(1)
        self._update_kind_boxes()

        self.table = QTableView(self)
        self.table.setObjectName("timeline_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)  # the text
        # A click on a header orders the timeline by that column (in memory); it opens
        # newest first, as the service gives it.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        metrics = self.table.fontMetrics()
        widths = {
            Column.WHEN: metrics.horizontalAdvance("2026-12-31 23:59") + 20,
            Column.KIND: max(metrics.horizontalAdvance(kind_label(k)) for k in KINDS) + 40,
            Column.REFERENCE: metrics.horizontalAdvance("XS-202612-00001") + 20,
            Column.STATE: metrics.horizontalAdvance(
                state_label("service_ticket", "waiting_parts")) + 16,
            Column.AMOUNT: metrics.horizontalAdvance("¥1,234,567.00") + 20,
            Column.USER: metrics.horizontalAdvance("门市小王王") + 16,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._on_activated)

        body = QHBoxLayout()
        body.addLayout(panel)
        body.addWidget(self.table, 1)
        return body

    # --- public ---------------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return self._reads > 0

    def reload(self) -> None:
        """Read the customer again, on the worker; what is on screen stays meanwhile (the
        worker answers in order, so the last read is the one shown)."""
        self._stale = False
        self._reads += 1
        self.error = None
        if self.overview is None:
            self._show_message(self.tr("Loading…"))
        self._update_status()
        actor, customer_id = self._ctx.actor, self.customer_id
        self._ctx.run(
            lambda uow: customer_overview(uow=uow, actor=actor, customer_id=customer_id),
            on_done=self._on_loaded, on_error=self._on_failed, owner=self)

    def refresh(self) -> None:
        """F5 (the main window's View → Refresh calls this)."""
        self.reload()

    def on_connection_restored(self) -> None:
        if self.error is not None:
            self.reload()

    def _changed(self, kind: str, record_id: object) -> None:
        """Something the view may show was written: read again (another customer's card
        is not ours; any other record may be)."""
        if kind == "customer" and record_id not in (None, self.customer_id):
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload()

    def request_edit(self) -> None:
        if self._can_act():
            self.edit_requested.emit(self.customer_id)

    def _can_act(self) -> bool:
        """False when the customer could not be shown at all (outside the user's data
        scope, deleted...): there is no card to edit and no visit to record then."""
        return self.overview is not None or self.error is None

    def record_visit(self) -> QDialog | None:
        """"Record visit…" or Ctrl+Shift+V: a visit to this customer; the timeline reloads
        when the change bus hears of it."""
        if not self.visit_button.isVisible() or not self._can_act():
            return None
        from app.ui.visits.record_visit_dialog import open_record_visit
        name = self.overview.name if self.overview is not None else ""
        return open_record_visit(self._ctx, self.customer_id, name, self)

    def show_all_kinds(self) -> None:
        for box in self.kind_boxes.values():
            box.setChecked(True)

    def set_kind_shown(self, kind: str, shown: bool) -> None:
        box = self.kind_boxes.get(kind)
        if box is not None:
            box.setChecked(shown)

    def open_entry(self, entry: TimelineEntry) -> None:
        """Open ``entry``'s record: its screen when one is registered, else a summary."""
        self.open_record.emit(entry.kind, entry.record_id)
        opener = self.openers.opener_for(entry.kind)
        if opener is None:
            self.show_entry_details(entry)
            return
        try:
            opener(self._ctx, entry.record_id, self)
        except Exception as error:  # noqa: BLE001 - a screen's failure must not close ours
            show_error(self, error)

    def show_entry_details(self, entry: TimelineEntry) -> TimelineEntryDialog:
        dialog = TimelineEntryDialog(entry, self)
        dialog.open()
        return dialog

    # --- loading --------------------------------------------------------------------------

    def _on_loaded(self, overview: CustomerOverview) -> None:
        self._reads -= 1
        first = self.overview is None
        self.overview = overview
        self.edit_button.setEnabled(True)
        self.visit_button.setEnabled(True)
        self._fill(overview)
        self.body.setCurrentWidget(self.content)
        self._update_status()
        if first and self.isVisible():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        self._reads -= 1
        self.error = error
        message = describe_error(error)
        if message.kind == "internal":
            show_error(self, error)  # with the details for the administrator
        if self.overview is None:
            self.edit_button.setEnabled(False)
            self.visit_button.setEnabled(False)
            self._show_message(f"{message.title}\n{message.text}", error=True)
            self.retry_button.setVisible(
                isinstance(error, DatabaseUnavailable) or message.kind == "internal")
        self._update_status()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(ERROR_STYLE if error else "")
        self.retry_button.setVisible(False)
        self.body.setCurrentIndex(0)

    def _update_status(self) -> None:
        if self.error is not None and self.overview is not None:
            text = describe_error(self.error).text
            self.status_label.setText(self.tr("Could not reload: {reason}").format(reason=text))
            self.status_label.setStyleSheet(ERROR_STYLE)
            return
        self.status_label.setStyleSheet("")
        if self.overview is None:
            self.status_label.setText("")
        elif self.is_loading:
            self.status_label.setText(self.tr("Loading…"))
        else:
            total, shown = self.model.total_count, self.model.rowCount()
            if total >= TIMELINE_LIMIT:
                text = self.tr("The latest {count} entries are shown.").format(count=total)
            elif shown == total:
                text = self.tr("Entries: {count}").format(count=total)
            else:
                text = self.tr("Entries shown: {shown} of {count}").format(
                    shown=shown, count=total)
            self.status_label.setText(text)

    # --- filling --------------------------------------------------------------------------

    def _fill(self, overview: CustomerOverview) -> None:
        self.name_label.setText(overview.name)
        self.name_label.setToolTip(overview.name)
        self.setWindowTitle(overview.name)
        facts = {
            "code": overview.code,
            "class": labels.customer_class_label(overview.customer_class),
            "source": labels.customer_source_label(overview.source),
            "status": labels.customer_status_label(overview.status),
            "owner": overview.owner_name or self.tr("(nobody)"),
            "phone": overview.phone or "—",
        }
        for key, text in facts.items():
            self.fact_labels[key].setText(text)
        self.receivable_label.setText(format_yuan(overview.receivable))
        owes = overview.receivable > 0
        self.receivable_label.setStyleSheet("color: #b00020;" if owes else "color: #1b7f3b;")

        self.devices_box.setTitle(self.tr("Devices ({count})").format(
            count=len(overview.devices)))
        self._fill_list(self.devices_list, [self._device_line(d) for d in overview.devices],
                        self.tr("No devices on file."))
        self.contracts_box.setTitle(self.tr("Service contracts ({count})").format(
            count=len(overview.contracts)))
        self._fill_list(self.contracts_list,
                        [self._contract_line(c) for c in overview.contracts],
                        self.tr("No service contracts."))

        self._keep_current(lambda: self.model.set_entries(overview.timeline))
        self._update_kind_boxes()

    def _device_line(self, device: DeviceSummary) -> str:
        name = " ".join(part for part in (device.brand, device.model) if part)
        if device.contract_number:
            cover = self.tr("under contract {number} until {date}").format(
                number=device.contract_number, date=format_date(device.contract_ends_on))
        else:
            cover = self.tr("no service contract")
        return self.tr("{device} · SN {serial} · {cover}").format(
            device=name, serial=device.serial_number, cover=cover)

    def _contract_line(self, contract: ContractSummary) -> str:
        return self.tr("{number} · {kind} · {status} · {start} – {end}").format(
            number=contract.number, kind=contract_kind_label(contract.kind),
            status=contract_status_label(contract.status),
            start=format_date(contract.starts_on), end=format_date(contract.ends_on))

    def _fill_list(self, widget: QListWidget, lines: list[str], empty: str) -> None:
        widget.clear()
        for line in lines:
            item = QListWidgetItem(line)
            item.setToolTip(line)
            widget.addItem(item)
        if not lines:
            item = QListWidgetItem(empty)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            widget.addItem(item)

    def _keep_current(self, change: Callable[[], None]) -> None:
        """Run ``change`` (which resets the model), then select the same entry again."""
        current = self.table.currentIndex()
        entry = self.model.entry(current.row()) if current.isValid() else None
        change()
        self._select((entry.kind, entry.record_id) if entry is not None else None)

    def _select(self, key: tuple[str, int] | None) -> None:
        """Make the entry ``key`` current (the newest one if it is not shown)."""
        row = 0
        if key is not None:
            for candidate in range(self.model.rowCount()):
                entry = self.model.entry(candidate)
                if entry is not None and (entry.kind, entry.record_id) == key:
                    row = candidate
                    break
        if self.model.rowCount() > row:
            self.table.setCurrentIndex(self.model.index(row, Column.WHEN))

    # --- filters --------------------------------------------------------------------------

    def _update_kind_boxes(self) -> None:
        counts = self.model.kind_counts()
        for kind, box in self.kind_boxes.items():
            box.setText(self.tr("{kind} ({count})").format(
                kind=kind_label(kind), count=counts.get(kind, 0)))

    def _apply_kind_filter(self) -> None:
        hidden = {kind for kind, box in self.kind_boxes.items() if not box.isChecked()}
        self._keep_current(lambda: self.model.set_hidden_kinds(hidden))
        self._update_status()

    # --- keyboard and activation ----------------------------------------------------------

    def _on_activated(self, index: QModelIndex) -> None:
        entry = self.model.entry(index.row()) if index.isValid() else None
        if entry is not None:
            self.open_entry(entry)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # F5 is the main window's View → Refresh when the page sits in it; this is for
        # the page on its own (a second shortcut for F5 would make both ambiguous).
        if event.key() == Qt.Key.Key_F5 and not event.modifiers():
            self.refresh()
            event.accept()
            return
        super().keyPressEvent(event)


class TimelineEntryDialog(QDialog):
    """A timeline entry read-only, for kinds whose own screen has not been built yet."""

    def __init__(self, entry: TimelineEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline_entry_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.entry = entry
        kind = kind_label(entry.kind)
        reference = reference_label(entry.kind, entry.reference)
        self.setWindowTitle(f"{kind} {reference}".strip())

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows = [
            (self.tr("Kind"), kind),
            (self.tr("Date"), entry_when(entry)),
            (self.tr("Reference"), reference),
            (self.tr("State"), state_label(entry.kind, entry.state)),
            (self.tr("Details"), entry.text),
            (self.tr("Amount"), format_yuan(entry.amount)),
            (self.tr("By"), entry.user_name or ""),
        ]
        self.value_labels: dict[str, QLabel] = {}
        for caption, value in rows:
            if not value:
                continue
            label = QLabel(value, self)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setMinimumWidth(280)
            form.addRow(caption + self.tr(":"), label)
            self.value_labels[caption] = label

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        module = KIND_MODULES.get(entry.kind)
        self.note_label: QLabel | None = None
        if module is not None:
            self.note_label = QLabel(self.tr(
                "This is a summary. The full screen for this record comes with the "
                "\"{module}\" module.").format(module=labels.module_label(module)), self)
            self.note_label.setObjectName("timeline_entry_note")
            self.note_label.setWordWrap(True)
            self.note_label.setStyleSheet(CAPTION_STYLE)
            layout.addSpacing(6)
            layout.addWidget(self.note_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def _kind_visible(ctx: AppContext, kind: str) -> bool:
    module = KIND_MODULES.get(kind)
    return module is None or ctx.can(module, Operation.VIEW)
