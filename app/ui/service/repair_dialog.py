"""The repair record (维修记录) of the assigned technician: work, parts, knowledge, re-need."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import labels
from app.models.enums import KnowledgeStatus, Module, Operation
from app.saving import new_request_key
from app.services.catalog import list_products
from app.services.errors import ConflictError, ValidationError
from app.services.knowledge import (
    KnowledgeDraft,
    KnowledgeView,
    create_knowledge,
    suggest_solutions,
    update_knowledge,
)
from app.services.opportunities import pass_on_reneed
from app.services.tickets import (
    JOB_TYPES,
    PartLine,
    RepairDraft,
    TicketView,
    charge_split,
    record_repair,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_yuan
from app.ui.kit.fields import error_label, parse_decimal
from app.ui.kit.record_dialog import RecordDialog, keep_open
from app.ui.saving import save_keyed

ID_ROLE = Qt.ItemDataRole.UserRole + 1
PRICE_ROLE = Qt.ItemDataRole.UserRole + 2

def job_type_label(code: str) -> str:
    return labels.code_label(labels.JOB_TYPE, code)


@dataclass(frozen=True)
class RepairOutcome:
    view: TicketView
    score: Decimal
    reneed_number: str | None = None
    reneed_error: BaseException | None = None


class KnowledgeFormDialog(RecordDialog):
    """A small form for a knowledge entry, submitted for the lead's approval.

    With ``entry`` it edits that entry (its author after a return, or the lead), showing
    why it was returned; "Save draft" keeps its status, "Resubmit" makes it pending again.

    Signals:
        created(KnowledgeView): the entry was saved (new or edited).
    """

    record_kind = "knowledge"

    created = Signal(object)

    def __init__(self, ctx: AppContext, device_model: str, symptom: str,
                 parent: QWidget | None = None, *, entry: KnowledgeView | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("knowledge_form_dialog")
        self._entry = entry
        self.setWindowTitle(self.tr("New knowledge entry") if entry is None
                            else self.tr("Knowledge entry {number}").format(number=entry.number))
        self.print_button.hide()
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {
            "device_model": QLineEdit(device_model, self),
            "symptom": QLineEdit(symptom[:200] if entry is None else entry.symptom, self),
            "cause": QLineEdit(entry.cause if entry else "", self),
            "solution": QPlainTextEdit(entry.solution if entry else "", self),
            "parts": QLineEdit((entry.parts or "") if entry else "", self),
            "keywords": QLineEdit((entry.keywords or "") if entry else "", self),
        }
        self.reason_label = QLabel(self)
        self.reason_label.setObjectName("return_reason_label")
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet("color: #c62828; font-weight: bold;")
        if entry is not None and entry.status is KnowledgeStatus.REJECTED \
                and entry.return_reason:
            self.reason_label.setText(self.tr("Returned by the repair lead: {reason}").format(
                reason=entry.return_reason))
        else:
            self.reason_label.hide()
        form = QFormLayout()
        for field, title in (("device_model", self.tr("Device model")),
                             ("symptom", self.tr("Symptom")),
                             ("cause", self.tr("Cause of failure")),
                             ("solution", self.tr("Solution")),
                             ("parts", self.tr("Parts")), ("keywords", self.tr("Keywords"))):
            widget = self.edits[field]
            widget.setObjectName(f"{field}_edit")
            label = error_label(field, self)
            box = QVBoxLayout()
            box.addWidget(widget)
            box.addWidget(label)
            form.addRow(title, box)
            self.register_field(field, label, widget)
        self.save_button = QPushButton(
            self.tr("Submit for approval") if entry is None
            or entry.status is KnowledgeStatus.DRAFT
            else self.tr("Save and submit") if entry.status is KnowledgeStatus.PENDING
            else self.tr("Resubmit for approval"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(self.submit)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.submit)
        self.draft_button = QPushButton(self.tr("Save without submitting"), self)
        self.draft_button.setObjectName("save_draft_button")
        self.draft_button.clicked.connect(self.save_draft)
        self.draft_button.setVisible(entry is not None
                                     and entry.status is not KnowledgeStatus.PENDING)
        self.close_button.setText(self.tr("Cancel"))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.draft_button)
        row.addWidget(self.save_button)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason_label)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addLayout(row)
        self.resize(480, 420)

    def text(self, field: str) -> str:
        widget = self.edits[field]
        return (widget.toPlainText() if isinstance(widget, QPlainTextEdit)
                else widget.text()).strip()

    def submit(self) -> None:
        """Save and submit for approval (pending)."""
        self.save(submit=True)

    def save_draft(self) -> None:
        """Save an edited entry keeping its status (draft or returned)."""
        self.save(submit=False)

    def save(self, submit: bool = True) -> None:
        if self._busy:
            return
        draft = KnowledgeDraft(
            device_model=self.text("device_model"), symptom=self.text("symptom"),
            cause=self.text("cause"), solution=self.text("solution"),
            parts=self.text("parts") or None, keywords=self.text("keywords") or None)
        actor, entry = self._ctx.actor, self._entry
        self.clear_errors()
        self.set_busy(True, self.tr("Saving…"))
        if entry is None:
            self._ctx.run(lambda uow: create_knowledge(uow=uow, actor=actor, draft=draft),
                          on_done=self._saved, on_error=self._failed, owner=self)
        else:
            self._ctx.run(lambda uow: update_knowledge(
                uow=uow, actor=actor, entry_id=entry.id, expected_version=entry.version,
                draft=draft, submit=submit),
                on_done=self._saved, on_error=self._failed, owner=self)

    def update_actions(self) -> None:
        self.save_button.setEnabled(not self._busy)
        self.draft_button.setEnabled(not self._busy)

    def _saved(self, entry: KnowledgeView) -> None:
        self.set_busy(False)
        self.created.emit(entry)
        self.saved.emit(entry)  # the change bus: the knowledge lists read again
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.set_busy(False)
        if isinstance(error, ValidationError):
            unplaced = self.place_errors(error.errors)
            self.set_status("; ".join(unplaced) or self.tr(
                "Not saved: please correct the marked fields."), error=True)
        else:
            self.set_status(describe_error(error).text, error=True)


class RepairDialog(RecordDialog):
    """Signals: saved(TicketView) once the record is saved (the ticket is then done)."""

    record_kind = "ticket"

    def __init__(self, ctx: AppContext, ticket: TicketView,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("repair_dialog")
        self._ticket = ticket
        self.outcome: RepairOutcome | None = None
        # Taken when the form opens: saving again after a lost answer records it once.
        self.request_key = new_request_key()
        self.suggestions_loaded = False
        self.knowledge_dialog: KnowledgeFormDialog | None = None
        self.setWindowTitle(self.tr("Repair record {number}").format(number=ticket.number))
        self.print_button.hide()
        self._build()
        self.resize(900, 720)
        self.load_suggestions()

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        t = self._ticket
        info = QLabel(f"<b>{t.number}</b> · {t.customer_name} · {t.device_label or ''}"
                      f"<br>{t.symptoms}", self)
        info.setObjectName("ticket_info")
        info.setWordWrap(True)
        self.work_edit = QPlainTextEdit(self)
        self.work_edit.setObjectName("work_done_edit")
        self.work_edit.setFixedHeight(70)
        self.cause_edit = QLineEdit(self)
        self.cause_edit.setObjectName("cause_edit")
        self.result_edit = QLineEdit(self)
        self.result_edit.setObjectName("result_edit")
        self.job_combo = QComboBox(self)
        self.job_combo.setObjectName("job_type_combo")
        for code in JOB_TYPES:
            self.job_combo.addItem(job_type_label(code), code)
        if t.mode.value == "on_site":
            self.job_combo.setCurrentIndex(JOB_TYPES.index("on_site_repair"))
        self.difficulty_spin = QSpinBox(self)
        self.difficulty_spin.setObjectName("difficulty_spin")
        self.difficulty_spin.setRange(1, 3)
        self.minutes_spin = QSpinBox(self)
        self.minutes_spin.setObjectName("labour_minutes_spin")
        self.minutes_spin.setRange(0, 100_000)
        self.minutes_spin.setSingleStep(15)
        self.labour_edit = QLineEdit("0.00", self)
        self.labour_edit.setObjectName("labour_amount_edit")
        self.labour_edit.textChanged.connect(lambda _t: self.update_charge())
        self.rating_combo = QComboBox(self)
        self.rating_combo.setObjectName("rating_combo")
        self.rating_combo.addItem(self.tr("Not rated"), None)
        for stars in range(5, 0, -1):
            self.rating_combo.addItem("★" * stars, stars)

        form = QGridLayout()
        fields: list[tuple[str, str, QWidget]] = [
            ("work_done", self.tr("Work done"), self.work_edit),
            ("cause", self.tr("Cause of failure"), self.cause_edit),
            ("result", self.tr("Result"), self.result_edit),
            ("job_type", self.tr("Job type"), self.job_combo),
            ("difficulty", self.tr("Difficulty"), self.difficulty_spin),
            ("labour_minutes", self.tr("Labour minutes"), self.minutes_spin),
            ("labour_amount", self.tr("Labour charge"), self.labour_edit),
            ("customer_rating", self.tr("Customer rating"), self.rating_combo),
        ]
        for i, (field, title, widget) in enumerate(fields):
            label = error_label(field, self)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(label)
            row, col = (i, 0) if i < 3 else (3 + (i - 3) // 2, 2 * ((i - 3) % 2))
            span = 3 if i < 3 else 1
            form.addWidget(QLabel(title, self), row, col)
            form.addLayout(box, row, col + 1, 1, span)
            self.register_field(field, label, widget)

        # Parts
        parts_box = QGroupBox(self.tr("Parts used"), self)
        self.product_search = QLineEdit(parts_box)
        self.product_search.setObjectName("product_search")
        self.product_search.setPlaceholderText(self.tr("SKU, name or pinyin initials"))
        self.product_search.returnPressed.connect(self.search_products)
        self.search_button = QPushButton(self.tr("Search"), parts_box)
        self.search_button.setObjectName("product_search_button")
        self.search_button.clicked.connect(self.search_products)
        self.product_results = QComboBox(parts_box)
        self.product_results.setObjectName("product_results")
        self.product_results.setMinimumWidth(220)
        self.qty_spin = QSpinBox(parts_box)
        self.qty_spin.setObjectName("part_quantity")
        self.qty_spin.setRange(1, 999)
        self.add_part_button = QPushButton(self.tr("Add part"), parts_box)
        self.add_part_button.setObjectName("add_part_button")
        self.add_part_button.clicked.connect(self.add_selected_product)
        self.remove_part_button = QPushButton(self.tr("Remove"), parts_box)
        self.remove_part_button.setObjectName("remove_part_button")
        self.remove_part_button.clicked.connect(self.remove_part)
        self.parts_table = QTableWidget(0, 2, parts_box)
        self.parts_table.setObjectName("parts_table")
        self.parts_table.setHorizontalHeaderLabels([self.tr("Part"), self.tr("Quantity")])
        self.parts_table.horizontalHeader().setStretchLastSection(True)
        self.parts_table.setColumnWidth(0, 300)
        self.parts_table.verticalHeader().hide()
        self.parts_table.setFixedHeight(90)
        self.parts_table.itemChanged.connect(lambda _i: self.update_charge())
        search_row = QHBoxLayout()
        for w in (self.product_search, self.search_button, self.product_results,
                  self.qty_spin, self.add_part_button, self.remove_part_button):
            search_row.addWidget(w)
        parts_layout = QVBoxLayout(parts_box)
        parts_layout.addLayout(search_row)
        parts_layout.addWidget(self.parts_table)
        self.parts_error = error_label("parts", parts_box)
        parts_layout.addWidget(self.parts_error)
        self.register_field("parts", self.parts_error, None)

        # Knowledge
        kb_box = QGroupBox(self.tr("Solutions from the knowledge base"), self)
        self.suggestion_list = QListWidget(kb_box)
        self.suggestion_list.setObjectName("suggestion_list")
        self.suggestion_list.setFixedHeight(80)
        self.suggestion_list.itemDoubleClicked.connect(self._use_suggestion)
        self.new_entry_button = QPushButton(self.tr("Write a new entry…"), kb_box)
        self.new_entry_button.setObjectName("new_knowledge_button")
        self.new_entry_button.clicked.connect(self.write_knowledge)
        self.new_entry_button.setVisible(self._ctx.can(Module.KNOWLEDGE, Operation.CREATE))
        self.kb_message = QLabel(kb_box)
        self.kb_message.setObjectName("knowledge_message")
        kb_row = QHBoxLayout()
        kb_row.addWidget(self.kb_message, 1)
        kb_row.addWidget(self.new_entry_button)
        kb_layout = QVBoxLayout(kb_box)
        kb_layout.addWidget(self.suggestion_list)
        kb_layout.addLayout(kb_row)

        # Re-need
        reneed_box = QGroupBox(self.tr("The customer also needs…"), self)
        self.reneed_title = QLineEdit(reneed_box)
        self.reneed_title.setObjectName("reneed_title_edit")
        self.reneed_title.setPlaceholderText(self.tr("e.g. a new toner cartridge"))
        self.reneed_amount = QLineEdit(reneed_box)
        self.reneed_amount.setObjectName("reneed_amount_edit")
        self.reneed_amount.setPlaceholderText("0.00")
        self.reneed_amount.setMaximumWidth(120)
        reneed_row = QHBoxLayout(reneed_box)
        reneed_row.addWidget(QLabel(self.tr("What:"), reneed_box))
        reneed_row.addWidget(self.reneed_title, 1)
        reneed_row.addWidget(QLabel(self.tr("Expected amount:"), reneed_box))
        reneed_row.addWidget(self.reneed_amount)
        reneed_box.setVisible(self._ctx.can(Module.OPPORTUNITIES, Operation.CREATE))

        # What the customer pays, labour and parts apart, as the contract makes them free.
        self.charge_label = QLabel(self)
        self.charge_label.setObjectName("charge_label")
        self.charge_label.setWordWrap(True)
        self.score_label = QLabel(self)
        self.score_label.setObjectName("score_label")
        font = self.score_label.font()
        font.setBold(True)
        self.score_label.setFont(font)
        self.save_button = self.make_save_button(self.tr("Save repair record"))
        for button in (self.save_button, self.close_button, self.search_button,
                       self.add_part_button, self.remove_part_button, self.new_entry_button):
            button.setAutoDefault(False)
        actions = QHBoxLayout()
        actions.addWidget(self.score_label, 1)
        actions.addWidget(self.save_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(parts_box)
        layout.addWidget(kb_box)
        layout.addWidget(reneed_box)
        layout.addWidget(self.charge_label)
        layout.addWidget(self.status_label)
        layout.addLayout(actions)
        self.update_charge()

    # --- charge ----------------------------------------------------------------------------

    def parts_total(self) -> Decimal:
        total = Decimal("0.00")
        for row in range(self.parts_table.rowCount()):
            product, qty = self.parts_table.item(row, 0), self.parts_table.item(row, 1)
            price = product.data(PRICE_ROLE) if product is not None else None
            quantity = parse_decimal(qty.text()) if qty is not None else None
            if isinstance(price, Decimal) and quantity is not None and quantity > 0:
                total += (price * quantity).quantize(Decimal("0.01"))
        return total

    def update_charge(self) -> None:
        """Show the charge split for what is typed (the service prices it on saving)."""
        t = self._ticket
        labour = parse_decimal(self.labour_edit.text()) or Decimal("0.00")
        split = charge_split(labour, self.parts_total(), labour_free=t.labour_free,
                             parts_free=t.parts_free)
        if t.labour_free and t.parts_free:
            cover = self.tr("Under contract: labour and parts free.")
        elif t.labour_free:
            cover = self.tr("Under contract: labour free, parts charged.")
        else:
            cover = self.tr("Chargeable.")
        self.charge_label.setText(self.tr(
            "{cover} Labour {labour} (charged {labour_charged}) + parts {parts} "
            "(charged {parts_charged}) = the customer pays {total}").format(
            cover=cover, labour=format_yuan(split.labour),
            labour_charged=format_yuan(split.labour_charged), parts=format_yuan(split.parts),
            parts_charged=format_yuan(split.parts_charged), total=format_yuan(split.total)))

    # --- knowledge -------------------------------------------------------------------------

    def load_suggestions(self) -> None:
        model, symptoms, actor = self._ticket.device_label, self._ticket.symptoms, self._ctx.actor
        self.kb_message.setText(self.tr("Looking for solutions…"))
        self._ctx.run(lambda uow: suggest_solutions(uow=uow, actor=actor, device_model=model,
                                                    symptoms=symptoms),
                      on_done=self._show_suggestions, on_error=self._suggestions_failed,
                      owner=self)

    def _show_suggestions(self, suggestions: tuple) -> None:  # type: ignore[type-arg]
        self.suggestion_list.clear()
        none = QListWidgetItem(self.tr("(no entry linked)"))
        none.setData(ID_ROLE, None)
        self.suggestion_list.addItem(none)
        for s in suggestions:
            e = s.entry
            item = QListWidgetItem(f"{e.number} · {e.device_model} · {e.symptom} → "
                                   f"{e.solution}")
            item.setData(ID_ROLE, e.id)
            item.setToolTip(f"{e.cause}\n{e.solution}")
            self.suggestion_list.addItem(item)
        self.suggestion_list.setCurrentRow(0)
        self.kb_message.setText(
            self.tr("{count} suggested; select the one you followed.").format(
                count=len(suggestions)) if suggestions
            else self.tr("No approved solution for this model and symptom yet."))
        self.suggestions_loaded = True

    def _suggestions_failed(self, error: BaseException) -> None:
        self.kb_message.setText(describe_error(error).text)
        self.suggestions_loaded = True

    def _use_suggestion(self, item: QListWidgetItem) -> None:
        self.suggestion_list.setCurrentItem(item)

    def linked_entry_id(self) -> int | None:
        item = self.suggestion_list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def write_knowledge(self) -> KnowledgeFormDialog:
        dialog = KnowledgeFormDialog(
            self._ctx, self._ticket.device_label or "", self._ticket.symptoms, self)
        dialog.edits["cause"].setText(self.cause_edit.text())  # type: ignore[union-attr]
        dialog.edits["solution"].setPlainText(  # type: ignore[union-attr]
            self.work_edit.toPlainText())
        dialog.created.connect(self._knowledge_created)
        self.knowledge_dialog = dialog
        keep_open(dialog)
        return dialog

    def _knowledge_created(self, entry: KnowledgeView) -> None:
        self.kb_message.setText(self.tr("Entry {number} submitted for approval.").format(
            number=entry.number))

    # --- parts -----------------------------------------------------------------------------

    def search_products(self) -> None:
        text, actor = self.product_search.text().strip(), self._ctx.actor
        self.product_results.clear()
        self.product_results.addItem(self.tr("Searching…"), None)
        self._ctx.run(lambda uow: list_products(uow=uow, actor=actor, text=text, limit=30),
                      on_done=self._show_products, on_error=self._products_failed,
                      owner=self)

    def _show_products(self, page: object) -> None:
        self.product_results.clear()
        for row in page.rows:  # type: ignore[attr-defined]
            self.product_results.addItem(f"{row.sku} {row.name}  {format_yuan(row.list_price)}",
                                         (row.id, row.name, row.list_price))
        if not self.product_results.count():
            self.product_results.addItem(self.tr("No product found"), None)

    def _products_failed(self, error: BaseException) -> None:
        self.product_results.clear()
        self.set_status(describe_error(error).text, error=True)

    def add_selected_product(self) -> None:
        data = self.product_results.currentData()
        if data is None:
            return
        product_id, name, price = data
        row = self.parts_table.rowCount()
        self.parts_table.blockSignals(True)
        self.parts_table.insertRow(row)
        item = QTableWidgetItem(f"{name}  {format_yuan(price)}")
        item.setData(ID_ROLE, product_id)
        item.setData(PRICE_ROLE, price)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.parts_table.setItem(row, 0, item)
        self.parts_table.setItem(row, 1, QTableWidgetItem(str(self.qty_spin.value())))
        self.parts_table.blockSignals(False)
        self.update_charge()

    def remove_part(self) -> None:
        row = self.parts_table.currentRow()
        if row >= 0:
            self.parts_table.removeRow(row)
            self.update_charge()

    def part_lines(self) -> tuple[PartLine, ...]:
        lines = []
        for row in range(self.parts_table.rowCount()):
            product = self.parts_table.item(row, 0)
            qty = self.parts_table.item(row, 1)
            lines.append(PartLine(product_id=product.data(ID_ROLE),
                                  quantity=qty.text().strip() if qty else ""))
        return tuple(lines)

    # --- saving ----------------------------------------------------------------------------

    def current_draft(self) -> RepairDraft:
        labour = parse_decimal(self.labour_edit.text())
        return RepairDraft(
            work_done=self.work_edit.toPlainText(), job_type=self.job_combo.currentData(),
            difficulty=self.difficulty_spin.value(),
            cause=self.cause_edit.text().strip() or None,
            result=self.result_edit.text().strip() or None,
            labour_minutes=self.minutes_spin.value(),
            labour_amount=labour if labour is not None else self.labour_edit.text(),
            parts=self.part_lines(), customer_rating=self.rating_combo.currentData(),
            knowledge_entry_id=self.linked_entry_id())

    def save(self) -> None:
        if self._busy or self.outcome is not None:
            return
        draft = self.current_draft()
        title = self.reneed_title.text().strip()
        amount = parse_decimal(self.reneed_amount.text() or "0") or Decimal("0.00")
        tid, version, actor = self._ticket.id, self._ticket.version, self._ctx.actor

        def work(uow: object, key: str) -> RepairOutcome:
            view = record_repair(uow=uow, actor=actor, ticket_id=tid,  # type: ignore[arg-type]
                                 expected_version=version, draft=draft, request_key=key)
            # The score the service stored with the job, not a second computation here.
            score = view.repair.service_score if view.repair is not None else Decimal("0.00")
            if not title:
                return RepairOutcome(view, score)
            try:
                opp = pass_on_reneed(uow=uow, actor=actor,  # type: ignore[arg-type]
                                     ticket_id=tid, title=title, expected_amount=amount,
                                     request_key=f"{key}-reneed")
            except Exception as error:  # the record is saved; tell what was not
                return RepairOutcome(view, score, reneed_error=error)
            return RepairOutcome(view, score, reneed_number=opp.number)

        self.clear_errors()
        self.set_busy(True, self.tr("Saving…"))
        save_keyed(self._ctx, work, self.request_key, on_done=self._on_saved,
                   on_error=self._on_save_failed, owner=self)

    def update_actions(self) -> None:
        self.save_button.setEnabled(not self._busy and self.outcome is None)

    def _on_saved(self, outcome: RepairOutcome) -> None:
        self.outcome = outcome
        self.score_label.setText(self.tr("Service score: {score}").format(score=outcome.score))
        view, repair = outcome.view, outcome.view.repair
        if repair is not None:
            split = charge_split(repair.labour_amount, repair.parts_amount,
                                 labour_free=view.labour_free, parts_free=view.parts_free)
            self.charge_label.setText(self.tr(
                "Saved: the customer pays {total} (labour {labour_charged} + parts "
                "{parts_charged}).").format(
                total=format_yuan(view.total_charge),
                labour_charged=format_yuan(split.labour_charged),
                parts_charged=format_yuan(split.parts_charged)))
        message = self.tr("Saved; the ticket is repaired.")
        if outcome.reneed_number:
            message += " " + self.tr("Re-need passed on as {number}.").format(
                number=outcome.reneed_number)
        self.set_busy(False, message)
        if outcome.reneed_error is not None:
            self.set_status(self.tr("Saved, but the re-need was not passed on: {error}").format(
                error=describe_error(outcome.reneed_error).text), error=True)
        self.close_button.setText(self.tr("Close"))
        self.saved.emit(outcome.view)

    def _on_save_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.set_busy(False)
            errors = {("parts" if k.startswith("parts[") else k): v
                      for k, v in error.errors.items()}
            unplaced = self.place_errors(errors)
            text = self.tr("Not saved: please correct the marked fields.")
            if unplaced:
                text += " " + "; ".join(unplaced)
            self.set_status(text, error=True)
            return
        self.set_busy(False, self.tr("Not saved. What you typed is still here."), error=True)
        show_error(self, error)
        if isinstance(error, ConflictError):
            self.reject()


__all__ = ["KnowledgeFormDialog", "RepairDialog", "RepairOutcome", "job_type_label"]
